// A client process of the active-sessions bench (bench/relay-active.ts), seen from the parent:
// relay-active-peer.ts forked with its flags and nice value, and the reports it sends.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import type { ActivePeerCommand, ActivePeerReport } from './relay-active-peer.js';
import { profileArgv } from './lib/peer-process.js';

const script = new URL('./relay-active-peer.js', import.meta.url).pathname;

/** BENCH_CLIENT_NICE=N: the crowd's client processes' nice value (default 10; see relay-active.ts). */
export const CLIENT_NICE = Number(process.env.BENCH_CLIENT_NICE ?? 10);
/** BENCH_CLIENT_FLAGS="...": the client processes' node flags (default: node's own). */
const CLIENT_FLAGS = process.env.BENCH_CLIENT_FLAGS?.split(' ').filter(Boolean) ?? [];

/** A client process with its reports. */
export class Clients {
  readonly child: ChildProcess;
  readonly #reports: ActivePeerReport[] = [];
  #notify: (() => void) | undefined;
  #gone = false;

  constructor(name: string, start: Extract<ActivePeerCommand, { type: 'start' }>, nice = 0) {
    this.child = fork(script, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: profileArgv(name, CLIENT_FLAGS),
    });
    if (nice !== 0) setPriority(this.child.pid!, nice);
    this.child.on('message', (r: ActivePeerReport) => {
      this.#reports.push(r);
      this.#notify?.();
    });
    this.child.on('exit', () => {
      this.#gone = true;
      this.#notify?.();
    });
    this.child.send(start);
  }

  async next<E extends ActivePeerReport['event']>(
    event: E,
  ): Promise<Extract<ActivePeerReport, { event: E }>> {
    for (;;) {
      const i = this.#reports.findIndex((r) => r.event === event);
      if (i >= 0) return this.#reports.splice(i, 1)[0] as Extract<ActivePeerReport, { event: E }>;
      if (this.#gone) throw new Error(`client process exited before '${event}'`);
      await new Promise<void>((resolve) => (this.#notify = resolve));
    }
  }

  send(cmd: ActivePeerCommand): void {
    if (this.child.connected) this.child.send(cmd, () => undefined);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
