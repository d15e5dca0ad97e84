import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { schedTimes } from '../bench/lib/sched-wait.js';

describe.runIf(process.platform === 'linux')('schedTimes (bench/lib/sched-wait.ts)', () => {
  it('counts CPU time a process used, summed over its threads', () => {
    const before = schedTimes(process.pid)!;
    // 50 ms of CPU (not of wall time: the machine may be busy).
    const cpu0 = process.cpuUsage();
    for (;;) {
      const { user, system } = process.cpuUsage(cpu0);
      if (user + system >= 50_000) break;
    }
    const after = schedTimes(process.pid)!;
    expect(after.runNs - before.runNs).toBeGreaterThan(30e6);
    expect(after.waitNs).toBeGreaterThanOrEqual(before.waitNs);
  });

  it('counts run-queue wait when more processes spin than there are cores', async () => {
    // Each spinner busy for 300 ms, one more than the cores: someone waits for a CPU.
    const spin = 'const t = Date.now() + 300; while (Date.now() < t);';
    const children = Array.from({ length: availableParallelism() + 1 }, () =>
      spawn(process.execPath, ['-e', `${spin} setTimeout(() => {}, 2000)`]),
    );
    try {
      // Polled (bounded): the spinners' waits add up while they contend for the cores.
      const waited = (): number =>
        children.reduce((n, c) => n + (schedTimes(c.pid!)?.waitNs ?? 0), 0);
      const until = performance.now() + 5000;
      while (waited() <= 10e6 && performance.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(waited()).toBeGreaterThan(10e6);
    } finally {
      await Promise.all(
        children.map(async (c) => {
          c.kill();
          if (c.exitCode === null && c.signalCode === null) await once(c, 'exit');
        }),
      );
    }
  });

  it('is undefined for a process that does not exist', () => {
    expect(schedTimes(2 ** 22 + 1)).toBeUndefined();
  });
});
