// Small-messages benchmark (issue 12): 100-byte messages endpoint to endpoint, each confirmed
// by its 200, 64 in flight, each side in its own process; beside it, in the same run, raw TCP
// between two Node processes writing 100-byte messages and echoing a 60-byte answer to each,
// with the same window, and the floor of MSRP itself (small-messages-wire.ts) on the same
// loops. Each side times its messages after as many untimed.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import { median, toRow, type Row } from './lib/measure.js';
import { finish, profileArgv } from './lib/peer-process.js';
import type { SenderApi, SmallCommand, SmallReport } from './small-messages-peer.js';
import { ANSWER_BYTES, MESSAGE_BYTES, type WireKind } from './small-messages-wire.js';
import type { GcCount } from './lib/gc-watch.js';
import type { Syscalls } from './lib/syscalls.js';

type Done = Extract<SmallReport, { event: 'done' }>;

/** Messages in flight, as issue 12 sets it. */
const WINDOW = 64;
/** Issue 12: 0.5 or more of the raw-TCP baseline. */
const GOAL = 0.5;

const peerScript = new URL('./small-messages-peer.js', import.meta.url).pathname;

/** Starts a peer process with its command; resolves with its `ready` report and its `done`. */
async function startPeer(
  cmd: SmallCommand,
): Promise<{ child: ChildProcess; ready: SmallReport; done: Promise<Done> }> {
  const child = fork(peerScript, [], {
    execArgv: profileArgv(`small-${cmd.role}`),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${cmd.role} exited with ${String(code)} before it was done`);
  });
  exited.catch(() => undefined);
  const reports = new Map<SmallReport['event'], (r: SmallReport) => void>();
  const next = (event: SmallReport['event']): Promise<SmallReport> =>
    Promise.race([new Promise<SmallReport>((resolve) => reports.set(event, resolve)), exited]);
  const ready = cmd.role === 'raw-source' || cmd.role === 'msrp-sender' ? undefined : next('ready');
  const done = next('done') as Promise<Done>;
  child.on('message', (r: SmallReport) => reports.get(r.event)?.(r));
  child.send(cmd);
  return { child, ready: (await ready) ?? { event: 'ready' }, done };
}

/** CPU µs per message, and the kernel's share of it. */
const us = (r: Done, count: number): string =>
  `${(((r.cpuMs ?? NaN) * 1000) / count).toFixed(1)} µs (sys ${(((r.sysMs ?? NaN) * 1000) / count).toFixed(1)})`;
/** Per window of messages: how many reads and writes a side made for them. */
const calls = (s: Syscalls | undefined, count: number): string =>
  s
    ? `, ${((s.reads * WINDOW) / count).toFixed(1)} reads + ${((s.writes * WINDOW) / count).toFixed(1)} writes per ${WINDOW}`
    : '';

/**
 * Raw TCP times this many times the MSRP runs' messages: about as long a run as theirs (at 2-3
 * times their rate), where 100,000 raw messages (~0.1 s) read anywhere from 0.6 to 2 times the
 * rate of the next 100,000.
 */
const RAW_TIMED = 3;

/** The warm-up's rate, for the log. */
const warmupRate = (warmup: number, r: Done): string =>
  `warm-up ${Math.round((warmup * 1000) / (r.warmupMs ?? NaN))} msgs/s`;

/**
 * Raw TCP (or the MSRP floor) messages per second, as the source saw them answered, after
 * `warmup` untimed, as the MSRP runs have: raw TCP's first 100,000 messages run at 0.6-0.9 of
 * the rate of the ones after too (blocks of 100,000 in three runs: 404-643k, then 560k-2.2M),
 * and timed cold they made the baseline that much lower.
 */
async function baseline(
  wire: WireKind,
  warmup: number,
  count: number,
  log: (line: string) => void,
): Promise<number> {
  const echo = await startPeer({ role: 'raw-echo', wire, warmup });
  const port = (echo.ready as { port: number }).port;
  const source = await startPeer({ role: 'raw-source', wire, port, count, warmup, window: WINDOW });
  const [done, echoed] = await Promise.all([source.done, echo.done]);
  await finish(echo.child, source.child);
  log(
    `small-messages (${wire}): CPU per message: source ${us(done, done.count)}${calls(done.syscalls, done.count)}, ` +
      `echo ${us(echoed, done.count)}${calls(echoed.syscalls, done.count)}; ${warmupRate(warmup, done)}`,
  );
  return (done.count * 1000) / done.ms;
}

/**
 * MSRP messages per second (as the sender saw them confirmed), after as many untimed: a fresh
 * endpoint runs its first 100,000 messages at 0.5-0.7 of the rate of the next (V8 compiling).
 */
async function msrp(count: number, api: SenderApi, log: (line: string) => void): Promise<number> {
  const warmup = count;
  const receiver = await startPeer({ role: 'msrp-receiver', count, warmup, api });
  const to = (receiver.ready as { uri: MsrpUri }).uri;
  const sender = await startPeer({ role: 'msrp-sender', to, count, warmup, window: WINDOW, api });
  const [got, sent] = await Promise.all([receiver.done, sender.done]);
  await finish(receiver.child, sender.child);
  if (got.count !== count || sent.count !== count)
    throw new Error(`small messages incomplete: ${got.count}/${sent.count} of ${count}`);
  // Scavenges per 1,000 messages and their pause per message: what the allocation costs.
  const gc = (g: GcCount | undefined): string =>
    g
      ? `, ${((g.count * 1000) / count).toFixed(2)} GCs per 1000 (${((g.ms * 1000) / count).toFixed(2)} µs)`
      : '';
  // Both sides' CPU over the wall time: 1 or less when they take turns (or share a core with
  // other work), up to 2 when they overlap on two free cores.
  const busy = ((sent.cpuMs ?? NaN) + (got.cpuMs ?? NaN)) / sent.ms;
  log(
    `small-messages (${api}): CPU per message: sender ${us(sent, count)}${calls(sent.syscalls, count)}${gc(sent.gc)}, ` +
      `receiver ${us(got, count)}${calls(got.syscalls, count)}${gc(got.gc)}; both sides' CPU / wall time ${busy.toFixed(2)}; ` +
      warmupRate(warmup, sent),
  );
  return (sent.count * 1000) / sent.ms;
}

/**
 * Runs MSRP (`sendMany`, then `send()` per message) and the baselines (raw TCP, then the MSRP
 * floor) in alternate rounds (which goes first swaps), `count` messages each.
 * @returns Three rows against the same raw baseline: `sendMany` (issue 12's figure) and a
 * `send()` per message, goal 0.5; the floor, no goal: what MSRP's bytes cost written by hand,
 * no library, so what the goal asks of ours.
 */
export async function runSmallMessagesBench(
  count: number,
  rounds: number,
  log: (line: string) => void = () => {},
): Promise<Row[]> {
  const many: number[] = [];
  const single: number[] = [];
  const raw: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < rounds; i++) {
    log(`small-messages: round ${i + 1}/${rounds} (${count} messages each)...`);
    const ours = async (): Promise<void> => {
      many.push(await msrp(count, 'sendMany', log));
      single.push(await msrp(count, 'send', log));
    };
    const theirs = async (): Promise<void> => {
      raw.push(await baseline('raw', count, RAW_TIMED * count, log));
      floor.push(await baseline('floor', count, RAW_TIMED * count, log));
    };
    if (i % 2 === 0) {
      await ours();
      await theirs();
    } else {
      await theirs();
      await ours();
    }
  }
  const base = { rate: median(raw), rates: raw };
  const baselineIs = `raw TCP between two Node processes: ${MESSAGE_BYTES}-byte messages, a ${ANSWER_BYTES}-byte answer to each, ${WINDOW} in flight`;
  const name = `${MESSAGE_BYTES} B messages, ${WINDOW} in flight, each confirmed`;
  const row = (how: string, rates: number[], goal?: number): Row =>
    toRow(
      'small-messages',
      `${name}, ${how}`,
      'msgs/s',
      { ours: { rate: median(rates), rates }, baseline: base },
      baselineIs,
      goal,
    );
  return [
    row('sendMany + batches()', many, GOAL),
    row('send() + for await', single, GOAL),
    row('the MSRP floor: the same frames made and read by hand', floor),
  ];
}
