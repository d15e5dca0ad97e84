// The built msrp-relay command run as an operator runs it, for the ops-*.test.ts files: its
// stdout lines, its log lines as they come, signals, its exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { parseUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { eventually, onCleanup } from './helpers.js';
import { RELAY_BIN, root } from './relay-command.js';

export interface RunningRelay {
  readonly child: ChildProcess;
  /** The URIs of its `listening` lines and its metrics URL, once it printed them. */
  readonly uris: MsrpUri[];
  readonly metrics?: string;
  readonly stderr: () => string;
  /** How many log lines with message `msg` it wrote. */
  readonly count: (msg: string) => number;
  /** Waits for the `n`th log line of message `msg` (default: one more than now); returns it. */
  readonly logged: (msg: string, n?: number) => Promise<string>;
  /** Sends SIGHUP and waits for the `reloaded` line it ends with. */
  readonly sighup: () => Promise<string>;
  readonly exited: Promise<number | null>;
}

/** Starts `msrp-relay ...args`, waiting for its `listening` (and `metrics`) lines. */
export async function runningRelay(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningRelay> {
  const child = spawn(RELAY_BIN, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const count = (msg: string): number => err.split(`"msg":"${msg}"`).length - 1;
  const lineOf = (msg: string, n: number): string =>
    err.split('\n').filter((l) => l.includes(`"msg":"${msg}"`))[n - 1]!;
  const logged = async (msg: string, n = count(msg) + 1): Promise<string> => {
    await eventually(
      () => count(msg) >= n || child.exitCode !== null || child.signalCode !== null,
      15_000,
      msg,
    );
    if (count(msg) < n) throw new Error(`exited before "${msg}": ${err}`);
    return lineOf(msg, n);
  };
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  await logged('relay started', 1);
  // Printed before that log line, but on another pipe: it may reach us after it.
  const listens = Math.max(1, args.filter((a) => a === '--listen').length);
  const printed = (): boolean =>
    out.split('listening ').length - 1 >= listens &&
    (!args.includes('--metrics') || out.includes('metrics '));
  await eventually(() => printed() && out.endsWith('\n'), 5000, 'the startup lines');
  const words = out.split('\n').map((l) => l.split(' '));
  const uris = words.filter(([w]) => w === 'listening').map(([, uri]) => parseUri(uri!));
  const metrics = words.find(([w]) => w === 'metrics')?.[1];
  return {
    child,
    uris,
    ...(metrics !== undefined && { metrics }),
    stderr: () => err,
    count,
    logged,
    sighup: async () => {
      const next = count('reloaded') + 1;
      child.kill('SIGHUP');
      return logged('reloaded', next);
    },
    exited,
  };
}
