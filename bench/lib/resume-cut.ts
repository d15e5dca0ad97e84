// The cut test of issue 12: `msrp send --file` → a tapping proxy → `msrp listen`, cut at
// random points by killing the sender, killing the receiver or dropping the connection, and
// resumed each time by running the same send again. The proxy measures on the wire what
// each resume sends against the range the listener asked for, and whether any octet that a
// 200 had confirmed travels again. Shared by test/resume-cut.test.ts and bench/resume.ts.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { NodeProcess } from './cli-process.js';
import { MsrpTap, type TappedChunk } from './msrp-tap.js';

export type CutKind = 'sender' | 'receiver' | 'connection';

export interface CutOptions {
  /** The file to send, and its size. */
  readonly file: string;
  readonly size: number;
  /** `msrp listen --out`. */
  readonly outDir: string;
  /** How many cuts before the transfer may complete. */
  readonly cuts: number;
  /** The kinds to cut with, in turn (default: chosen at random). */
  readonly kinds?: readonly CutKind[];
  /** Seed of the random cut points (print it to replay a run). */
  readonly seed: number;
  /** Starts `msrp ARGS`. */
  readonly msrp: (args: readonly string[]) => NodeProcess;
  /** Bound on each wait, in ms. */
  readonly timeoutMs: number;
  readonly log?: (line: string) => void;
}

/** What one run of `msrp send` did on the wire. */
export interface Attempt {
  readonly cut: CutKind | 'none';
  /** First octet the listener asked for (its a=file-range start). */
  readonly askedFrom: number;
  /** Body octets of the file sent on the wire. */
  readonly sent: number;
  /** Of those, octets before `askedFrom`: the listener did not miss them (goal 0). */
  readonly beyondMissing: number;
  /** Octets that a 200 had confirmed in an earlier attempt, sent again (must be 0). */
  readonly resentConfirmed: number;
  /** How `msrp send` ended. */
  readonly exitCode: number | null;
}

export interface CutResult {
  readonly attempts: readonly Attempt[];
  /** The stored file's SHA-256 equals the source's. */
  readonly hashMatches: boolean;
  readonly seconds: number;
  /** What the listeners printed (stdout, then stderr), for a failure's context. */
  readonly listenerLog: string;
}

/** Deterministic random numbers in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

/** Octet runs [start, end], 1-based inclusive, merged as they are added. */
class Octets {
  #runs: [number, number][] = [];

  add(start: number, end: number): void {
    if (end < start) return;
    this.#runs.push([start, end]);
    this.#runs.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const r of this.#runs) {
      const last = merged.at(-1);
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.#runs = merged;
  }

  /** How many octets of [start, end] are held. */
  overlap(start: number, end: number): number {
    let n = 0;
    for (const [s, e] of this.#runs) n += Math.max(0, Math.min(e, end) - Math.max(s, start) + 1);
    return n;
  }
}

const SESSION = 'resumecut';

/** Runs the cut test; see the file comment. */
export async function runCuts(options: CutOptions): Promise<CutResult> {
  const { file, size, outDir, timeoutMs } = options;
  // Every process started here is stopped here, whatever happens.
  const processes: NodeProcess[] = [];
  const msrp = (args: readonly string[]): NodeProcess => {
    const p = options.msrp(args);
    processes.push(p);
    return p;
  };
  const log = options.log ?? ((): void => undefined);
  const rand = random(options.seed);
  // The cut points, drawn at the start, within the file's first 80 %: a cut drawn in what an
  // attempt had left (a share of the rest, as before) fell ever nearer the end, and a cut in
  // the last chunks came after the sender had written them all: the file completed, and the
  // next attempt sent it whole again (seed 1922526616 of the 1 GiB bench, 10 cuts).
  const points = Array.from({ length: options.cuts }, () =>
    Math.floor(size * (0.05 + 0.75 * rand())),
  ).sort((x, y) => x - y);
  const started = performance.now();
  const startListener = async (): Promise<{ listen: NodeProcess; port: number }> => {
    // The sender addresses the proxy: the listener matches our session-id at any authority.
    const listen = msrp([
      'listen',
      '--uri',
      `msrp://127.0.0.1:0/${SESSION};tcp`,
      '--out',
      outDir,
      '--match-session-id',
    ]);
    const port = Number(
      (await listen.waitFor(/^listening msrp:\/\/127\.0\.0\.1:(\d+)\//m, timeoutMs))[1],
    );
    return { listen, port };
  };
  let { listen, port } = await startListener();
  const tap = await new MsrpTap(port).listen();
  const to = `msrp://127.0.0.1:${tap.port}/${SESSION};tcp`;
  const confirmed = new Octets();
  const attempts: Attempt[] = [];
  const isFile = (c: TappedChunk): boolean => c.direction === 'out' && c.total === size;
  try {
    for (let i = 0; i <= options.cuts; i++) {
      const first = tap.chunks.length;
      const chunks = (): TappedChunk[] => tap.chunks.slice(first);
      const gone = (): number => (listen.stderr.match(/: disconnected/g) ?? []).length;
      const disconnects = gone();
      const send = msrp(['send', '--to', to, '--file', file]);
      let cut: CutKind | 'none' = 'none';
      // The listener's answer: the first octet it misses.
      await tap.until(
        () =>
          !send.running ||
          chunks().some((c) => c.direction === 'in' && /a=file-range:\d+-/.test(c.head)),
        timeoutMs,
        'the answer to the file offer',
      );
      const answer = chunks().find((c) => c.direction === 'in' && /a=file-range:\d+-/.test(c.head));
      const askedFrom = Number(/a=file-range:(\d+)-/.exec(answer?.head ?? '')?.[1] ?? 1);
      if (i < options.cuts) {
        cut =
          options.kinds?.[i % options.kinds.length] ??
          (['sender', 'receiver', 'connection'] as const)[Math.floor(rand() * 3)]!;
        // Past the point when the attempt before went beyond it (it writes ahead of its 200s).
        const at = Math.max(points[i]!, askedFrom - 1 + Math.floor((size - askedFrom + 1) / 20));
        log(`attempt ${i + 1}: from byte ${askedFrom}, cutting the ${cut} after byte ${at}`);
        const reached = (): boolean =>
          chunks().some((c) => isFile(c) && c.start - 1 + c.bodyBytes >= at);
        await tap.until(() => reached() || !send.running, timeoutMs, `byte ${at} on the wire`);
        if (!send.running) throw new Error(`msrp send ended before the cut: ${send.stderr}`);
        if (cut === 'sender') send.child.kill('SIGKILL');
        else if (cut === 'connection') tap.drop();
        else {
          listen.child.kill('SIGKILL');
          await listen.exited;
          ({ listen, port } = await startListener());
          tap.target = port;
        }
        await send.exited;
        // The listener that lives on sees the sender go before the next one comes (a file
        // being written then finishes first: msrp listen orders that itself).
        if (cut !== 'receiver')
          await listen.waitUntil(
            () => gone() > disconnects,
            timeoutMs,
            'the listener to see the cut',
          );
      } else {
        log(`attempt ${i + 1}: from byte ${askedFrom}, to the end`);
        await listen.waitFor(/^saved .*hash matched/m, timeoutMs);
        await send.exited;
      }
      const fileChunks = chunks().filter(isFile);
      const attempt: Attempt = {
        cut,
        askedFrom,
        sent: fileChunks.reduce((n, c) => n + c.bodyBytes, 0),
        beyondMissing: fileChunks.reduce(
          (n, c) =>
            n + Math.max(0, Math.min(c.start + c.bodyBytes - 1, askedFrom - 1) - c.start + 1),
          0,
        ),
        resentConfirmed: fileChunks.reduce(
          (n, c) => n + confirmed.overlap(c.start, c.start + c.bodyBytes - 1),
          0,
        ),
        exitCode: send.child.exitCode,
      };
      attempts.push(attempt);
      for (const c of fileChunks)
        if (c.status === 200) confirmed.add(c.start, c.start + c.bodyBytes - 1);
    }
    const stored = join(outDir, basename(file));
    const hashMatches =
      (await stat(stored)).size === size && (await sha256File(stored)) === (await sha256File(file));
    const listenerLog = processes
      .filter((p) => p.child.spawnargs.includes('listen'))
      .map((p) => `${p.stdout}${p.stderr}`)
      .join('--- restarted ---\n');
    return { attempts, hashMatches, seconds: (performance.now() - started) / 1000, listenerLog };
  } finally {
    await tap.close();
    await listen.stop('SIGINT');
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  }
}
