// Small-messages benchmark (issue 12): 100-byte messages endpoint to endpoint, each confirmed
// by its 200, 64 in flight, each side in its own process; beside it, in the same run, raw TCP
// between two Node processes writing 100-byte messages and echoing a 60-byte answer to each,
// with the same window.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import { median, toRow, type Row } from './lib/measure.js';
import { finish, profileArgv } from './lib/peer-process.js';
import {
  ANSWER_BYTES,
  MESSAGE_BYTES,
  type SmallCommand,
  type SmallReport,
} from './small-messages-peer.js';

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

/** Raw TCP messages per second (as the source saw them answered). */
async function raw(count: number): Promise<number> {
  const echo = await startPeer({ role: 'raw-echo' });
  const port = (echo.ready as { port: number }).port;
  const source = await startPeer({ role: 'raw-source', port, count, window: WINDOW });
  const [done] = await Promise.all([source.done, echo.done]);
  await finish(echo.child, source.child);
  return (done.count * 1000) / done.ms;
}

/** MSRP messages per second (as the sender saw them confirmed). */
async function msrp(count: number, log: (line: string) => void): Promise<number> {
  const receiver = await startPeer({ role: 'msrp-receiver', count });
  const to = (receiver.ready as { uri: MsrpUri }).uri;
  const sender = await startPeer({ role: 'msrp-sender', to, count, window: WINDOW });
  const [got, sent] = await Promise.all([receiver.done, sender.done]);
  await finish(receiver.child, sender.child);
  if (got.count !== count || sent.count !== count)
    throw new Error(`small messages incomplete: ${got.count}/${sent.count} of ${count}`);
  const us = (ms: number | undefined): string => (((ms ?? NaN) * 1000) / count).toFixed(1);
  log(`small-messages: CPU per message: sender ${us(sent.cpuMs)} µs, receiver ${us(got.cpuMs)} µs`);
  return (sent.count * 1000) / sent.ms;
}

/**
 * Runs MSRP and raw TCP in alternate rounds (which goes first swaps), `count` messages each.
 * @returns One row: MSRP msgs/s against the raw baseline, goal 0.5.
 */
export async function runSmallMessagesBench(
  count: number,
  rounds: number,
  log: (line: string) => void = () => {},
): Promise<Row[]> {
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < rounds; i++) {
    log(`small-messages: round ${i + 1}/${rounds} (${count} messages each)...`);
    if (i % 2 === 0) {
      ours.push(await msrp(count, log));
      baseline.push(await raw(count));
    } else {
      baseline.push(await raw(count));
      ours.push(await msrp(count, log));
    }
  }
  return [
    toRow(
      'small-messages',
      `${MESSAGE_BYTES} B messages, ${WINDOW} in flight, each confirmed`,
      'msgs/s',
      {
        ours: { rate: median(ours), rates: ours },
        baseline: { rate: median(baseline), rates: baseline },
      },
      `raw TCP between two Node processes: ${MESSAGE_BYTES}-byte messages, a ${ANSWER_BYTES}-byte answer to each, ${WINDOW} in flight`,
      GOAL,
    ),
  ];
}
