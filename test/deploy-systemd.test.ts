// The systemd unit shipped in packages/msrp-relay/deploy: valid for systemd-analyze verify
// and hardened as the operators page says. It runs for real in test/deploy-signals.test.ts.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binNodeFlags,
  INSTALLED_BIN,
  localExecStart,
  parseUnit,
  readUnit,
  ROOT,
  seconds,
  serviceSetting,
  UNIT_FILE,
} from './helpers/deploy.js';

const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find(existsSync);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-unit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * `systemd-analyze verify` of `text` saved as msrp-relay.service. Verify checks that
 * ExecStart's program exists, and the relay is not installed in /opt/msrp-relay here: unless
 * `asIs`, the copy runs this node and the workspace's bin instead (localExecStart), nothing
 * else changed. It reports the mistakes it "ignores" (unknown keys, bad values) on stderr
 * with exit 0, so anything on stderr counts as a failure.
 */
async function verify(text: string, asIs = false): Promise<{ code: number; stderr: string }> {
  const unit = parseUnit(text);
  const execStart = serviceSetting(unit, 'ExecStart')!;
  const local = asIs
    ? text
    : text.replace(
        `ExecStart=${execStart}`,
        `ExecStart=${localExecStart(unit, '/etc/msrp-relay/relay.json').join(' ')}`,
      );
  const file = join(dir, 'msrp-relay.service');
  await writeFile(file, local);
  const env = { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' };
  return promisify(execFile)(SYSTEMD_ANALYZE!, ['verify', '--man=no', file], { env }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

describe('the systemd unit (packages/msrp-relay/deploy/msrp-relay.service)', () => {
  it('passes systemd-analyze verify, and a broken copy does not', async () => {
    // .ci/run installs Debian's systemd when systemd-analyze is missing.
    expect(SYSTEMD_ANALYZE, 'systemd-analyze (Debian package systemd)').toBeDefined();
    const text = await readFile(UNIT_FILE, 'utf8');
    expect(await verify(text)).toEqual({ code: 0, stderr: '' });
    // The checks would catch a mistake: a misspelt key, a bad value, a missing program.
    const misspelt = await verify(text.replace('TimeoutStopSec=', 'TimeoutStopSecs='));
    expect(misspelt.stderr).toMatch(/Unknown key 'TimeoutStopSecs'/);
    const badValue = await verify(text.replace('Type=exec', 'Type=bogus'));
    expect(badValue.stderr).toMatch(/Failed to parse service type/);
    const noProgram = await verify(
      text.replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node'),
      true,
    );
    expect(noProgram.code).not.toBe(0);
    expect(noProgram.stderr).toMatch(/nonexistent\/node is not executable/);
  });

  it('is hardened: a dynamic unprivileged user, read-only system, no capabilities', () => {
    const unit = readUnit();
    const expected: Record<string, string> = {
      DynamicUser: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      NoNewPrivileges: 'yes',
      // Empty: none, unless a drop-in adds CAP_NET_BIND_SERVICE for a port below 1024.
      CapabilityBoundingSet: '',
      AmbientCapabilities: '',
      StandardError: 'journal',
    };
    for (const [key, value] of Object.entries(expected))
      expect(serviceSetting(unit, key), key).toBe(value);
    // The relay's default --max-connections is 20000; each may need a descriptor toward
    // the next hop too.
    expect(Number(serviceSetting(unit, 'LimitNOFILE'))).toBeGreaterThanOrEqual(2 * 20_000);
  });

  it('keeps the exposure systemd-analyze security gives it low (1.7 of 10 when written)', async () => {
    await verify(await readFile(UNIT_FILE, 'utf8'));
    const file = join(dir, 'msrp-relay.service');
    const { stdout } = await promisify(execFile)(
      SYSTEMD_ANALYZE!,
      ['security', '--offline=yes', '--no-pager', file],
      { env: { ...process.env, SYSTEMD_COLORS: '0' } },
    );
    const exposure = /Overall exposure level for \S+: ([\d.]+)/.exec(stdout);
    expect(exposure, stdout).not.toBeNull();
    expect(Number(exposure![1])).toBeLessThanOrEqual(2);
  });

  it('runs the installed bin with node, reloads with SIGHUP, stops with SIGTERM after the drain', () => {
    const unit = readUnit();
    const execStart = serviceSetting(unit, 'ExecStart')!.split(/\s+/);
    expect(execStart[0]).toBe('/usr/bin/node');
    const flags = binNodeFlags();
    expect(flags.length).toBeGreaterThan(0);
    expect(execStart.slice(1, 1 + flags.length)).toEqual(flags);
    expect(execStart[1 + flags.length]!.endsWith(`/node_modules/${INSTALLED_BIN}`)).toBe(true);
    expect(execStart.slice(2 + flags.length)).toEqual(['--config', '/etc/msrp-relay/relay.json']);
    expect(serviceSetting(unit, 'ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(serviceSetting(unit, 'KillSignal')).toBe('SIGTERM');
    // The relay drains for up to 10 s (relay.close(10_000) in the command), then closes its
    // admin server and database pool: systemd must not SIGKILL it before.
    expect(seconds(serviceSetting(unit, 'TimeoutStopSec')!)).toBeGreaterThanOrEqual(20);
  });

  it('ships in the package, so an operator installing from npm has it', async () => {
    const manifest = JSON.parse(
      await readFile(join(ROOT, 'packages/msrp-relay/package.json'), 'utf8'),
    ) as { files: string[] };
    expect(manifest.files).toContain('deploy');
  });
});
