// One client process of the active-sessions bench (bench/relay-active.ts): `pairs` pairs of
// endpoints authenticated to the relay, each pair exchanging a chat line a second (its two
// sides take turns), and `files` more pairs, each sending a file, beside them. Counts what was sent, what
// arrived, duplicates and losses, and the send→arrival latency (one clock: both sides of a
// pair live in this process).
import { Readable } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Endpoint, type MsrpUri } from '@msrp-ts/msrp-core';
import { USERS } from './lib/users.js';

/** The parent's commands. */
export type ActivePeerCommand =
  | { type: 'start'; relay: MsrpUri; pairs: number; files: number; fileBytes: number }
  | { type: 'go'; ms: number }
  | { type: 'stop' };

/** Latency histogram: 0.1 ms buckets up to 100 ms, then 1 ms buckets up to 10 s. */
export const FINE_BUCKETS = 1000;
export const BUCKETS = FINE_BUCKETS + 9900;
/** The span of one entry of a report's `windows`. */
export const WINDOW_MS = 10_000;

/** One {@link WINDOW_MS} of a run, as a client process saw it. */
export interface Window {
  slow: number;
  maxMs: number;
  stallMs: number;
}

/** A window in which nothing was slow (yet). */
const quietWindow = (): Window => ({ slow: 0, maxMs: 0, stallMs: 0 });

/** Where a latency in ms falls in the histogram. */
export function bucketOf(ms: number): number {
  if (ms < 100) return Math.max(0, Math.floor(ms * 10));
  return Math.min(BUCKETS - 1, FINE_BUCKETS + Math.floor(ms - 100));
}

/** The latency a bucket stands for (its upper edge), in ms. */
export function bucketMs(bucket: number): number {
  return bucket < FINE_BUCKETS ? (bucket + 1) / 10 : 100 + (bucket - FINE_BUCKETS + 1);
}

/** What the process reports. */
export type ActivePeerReport =
  | { event: 'ready'; sessions: number; ms: number }
  | {
      event: 'done';
      /** Chat lines whose send the relay confirmed (200). */
      sent: number;
      /** Chat lines whose send failed. */
      failed: number;
      /** Distinct chat lines that arrived. */
      received: number;
      duplicates: number;
      /** Confirmed chat lines that never arrived (counted after a drain). */
      lost: number;
      /** Send→arrival histogram (see {@link bucketOf}). */
      histogram: number[];
      /**
       * Per {@link WINDOW_MS} of the run, in order: the lines over 100 ms, the slowest (ms), and
       * this process's longest event-loop stall (ms), so that a tail can be placed in time (the
       * start's warm-up, a GC, the whole run) and set beside the clients' own stalls.
       */
      windows: Window[];
      files: { done: number; failed: number; bytes: number };
      /** CPU time (user + system) this process used while the pairs chatted, in ms. */
      cpuMs: number;
      /**
       * How late this process's event loop ran timers while the pairs chatted (p50, p99, max,
       * in ms): a line waits that long in the client before it is sent or read, whatever the relay does.
       */
      loopMs: { p50: number; p99: number; max: number };
    };

const report = (r: ActivePeerReport): void => void process.send!(r);

/** `total` bytes in pieces of `size`, spread evenly over `ms`. */
function paced(total: number, size: number, ms: number): Readable {
  const piece = Buffer.alloc(size, 0x61);
  const t0 = performance.now();
  let sent = 0;
  return new Readable({
    highWaterMark: size,
    read() {
      if (sent >= total) return void this.push(null);
      const due = t0 + (sent / total) * ms;
      const n = Math.min(size, total - sent);
      sent += n;
      const push = (): void => void this.push(n === size ? piece : piece.subarray(0, n));
      const wait = due - performance.now();
      if (wait > 0) setTimeout(push, wait);
      else push();
    },
  });
}

interface Side {
  endpoint: Endpoint;
  session: ReturnType<Endpoint['createSession']>;
}

/** Runs `work` on `items` with at most `width` at a time. */
async function eachLimited<T>(
  items: T[],
  width: number,
  work: (t: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

async function pairUp(relay: MsrpUri, pairs: number): Promise<[Side, Side][]> {
  const result: [Side, Side][] = [];
  await eachLimited(
    Array.from({ length: pairs }, (_, i) => i),
    50,
    async () => {
      const [a, b] = await Promise.all(
        USERS.map(async (user) => {
          const endpoint = new Endpoint({ relays: [{ uri: relay, ...user }] });
          await endpoint.authenticate();
          return endpoint;
        }),
      );
      const sa = a!.createSession();
      const sb = b!.createSession();
      sb.accept([...sa.localPath]);
      await sa.connect([...sb.localPath]);
      result.push([
        { endpoint: a!, session: sa },
        { endpoint: b!, session: sb },
      ]);
    },
  );
  return result;
}

async function main(start: Extract<ActivePeerCommand, { type: 'start' }>): Promise<void> {
  const t0 = performance.now();
  // Transfers on pairs of their own: the chat pairs' lines are not queued behind a file.
  const all = await pairUp(start.relay, start.pairs + start.files);
  const filePairs = all.slice(0, start.files);
  const pairs = all.slice(start.files);
  report({ event: 'ready', sessions: all.length * 2, ms: performance.now() - t0 });
  const go = await new Promise<Extract<ActivePeerCommand, { type: 'go' }>>((resolve) => {
    const listener = (m: ActivePeerCommand): void => {
      if (m.type !== 'go') return;
      process.off('message', listener);
      resolve(m);
    };
    process.on('message', listener);
  });

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const histogram = new Array<number>(BUCKETS).fill(0);
  const windows: Window[] = [];
  const goAt = performance.now();
  const windowAt = (now: number): Window =>
    (windows[Math.floor((now - goAt) / WINDOW_MS)] ??= quietWindow());
  // A tick every 50 ms: how much later than that it ran is how long the loop was stalled.
  let tickAt = goAt;
  const ticker = setInterval(() => {
    const now = performance.now();
    const w = windowAt(now);
    w.stallMs = Math.max(w.stallMs, now - tickAt - 50);
    tickAt = now;
  }, 50);
  let sent = 0;
  let failed = 0;
  let received = 0;
  let duplicates = 0;
  // Per receiving session: the sequence numbers seen (a bit per line).
  const seen = new Map<object, Uint8Array>();
  const lines = Math.ceil(go.ms / 1000) + 2;
  const readers = all.flat().map(async ({ session }) => {
    const bits = new Uint8Array(lines);
    seen.set(session, bits);
    for await (const message of session) {
      if (message.stream) {
        for await (const piece of message.stream) void piece;
        continue;
      }
      // "seq sentAt"
      const [seq, at] = Buffer.from(message.body!).toString().split(' ');
      const n = Number(seq);
      if (bits[n]) {
        duplicates++;
        continue;
      }
      bits[n] = 1;
      received++;
      const now = performance.now();
      const ms = now - Number(at);
      histogram[bucketOf(ms)]!++;
      const w = windowAt(now);
      if (ms > 100) w.slow++;
      if (ms > w.maxMs) w.maxMs = ms;
    }
  });

  const end = performance.now() + go.ms;
  // Each pair: a line a second, its sides taking turns; pairs spread over the second.
  const chats = pairs.map(async (pair, i) => {
    await new Promise((resolve) => setTimeout(resolve, (i * 1000) / pairs.length));
    for (let seq = 0; performance.now() < end; seq++) {
      const due = performance.now() + 1000;
      const side = pair[seq % 2]!;
      // The sequence number counts per sending side: seq >> 1 (it sends every other line).
      const ok = await side.session.send(`${seq >> 1} ${performance.now()}`).then(
        () => true,
        () => false,
      );
      if (ok) sent++;
      else failed++;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  });
  const files = { done: 0, failed: 0, bytes: 0 };
  // Each transfer paced to last the run (most of it): 20 transfers under way throughout,
  // not a burst that saturates this machine's cores for the first seconds.
  const transfers = filePairs.map(async ([a], i) => {
    await new Promise((resolve) => setTimeout(resolve, (i * 1000) / start.files));
    try {
      const body = paced(start.fileBytes, 16 * 1024, go.ms * 0.9);
      const delivery = await a.session.send(body, { size: start.fileBytes });
      files.done++;
      files.bytes += delivery.bytes;
    } catch {
      files.failed++;
    }
  });
  await Promise.all([...chats, ...transfers]);
  clearInterval(ticker);
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  const ms = (ns: number): number => ns / 1e6;
  // Let the last lines arrive (bounded), then count.
  const drainUntil = performance.now() + 10_000;
  while (received + duplicates < sent && performance.now() < drainUntil)
    await new Promise((resolve) => setTimeout(resolve, 50));
  report({
    event: 'done',
    sent,
    failed,
    received,
    duplicates,
    lost: Math.max(0, sent - received),
    histogram,
    windows: Array.from(windows, (w) => w ?? quietWindow()),
    files,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loopMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
  });
  await new Promise<void>((resolve) => {
    process.on('message', (m: ActivePeerCommand) => m.type === 'stop' && resolve());
  });
  await Promise.all(all.flat().map(({ endpoint }) => endpoint.close()));
  await Promise.race([Promise.all(readers), new Promise((r) => setTimeout(r, 2000))]);
}

process.once('SIGTERM', () => process.exit(0));
process.once('message', (cmd: ActivePeerCommand) => {
  if (cmd.type !== 'start') return;
  main(cmd).then(
    () => process.disconnect(),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
