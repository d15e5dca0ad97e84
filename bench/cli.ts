// CLI benchmark: how fast the commands start, and `msrp send --file` → `msrp listen` disk to
// disk (the real commands as processes, with the hash) beside a raw-TCP disk-to-disk copy
// between two Node processes in the same run.
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, type Row } from './lib/measure.js';
import {
  cpuMs,
  MSRP_BIN,
  msrp,
  NodeProcess,
  RELAY_BIN,
  type ResidentParts,
} from './lib/cli-process.js';
import type { LimitRow } from './transfer.js';
import { writeRandomFile } from './lib/random-file.js';
import { formatThreadCpu, ThreadCpuSampler } from './lib/thread-cpu.js';

const diskPeer = new URL('./disk-peer.js', import.meta.url).pathname;

/** Median wall time in ms of `node script args` from spawn to exit, over `runs` runs. */
async function startMs(script: string, args: readonly string[], runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const p = new NodeProcess([script, ...args], 'start');
    const code = await p.exited;
    if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${code}: ${p.stderr}`);
    times.push(performance.now() - p.started);
  }
  return median(times);
}

/**
 * Median ms from spawning `msrp send --text` until its first byte reaches a TCP server (the
 * command's start, the library's load and the connect: what a user waits for).
 */
async function sendFirstByteMs(runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const server = createServer();
    let first: (() => void) | undefined;
    server.on('connection', (s: Socket) => {
      s.once('data', () => {
        first?.();
        s.destroy();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const arrived = new Promise<void>((resolve) => (first = resolve));
    const p = msrp(['send', '--to', `msrp://127.0.0.1:${port}/s1;tcp`, '--text', 'hi']);
    await Promise.race([arrived, p.exited.then(() => Promise.reject(new Error(p.stderr)))]);
    times.push(performance.now() - p.started);
    await p.stop();
    server.close();
  }
  return median(times);
}

/** A copy's wall time and the CPU time its two processes used (from the send's spawn on). */
interface Copy {
  seconds: number;
  cpuMs: number;
  /** `sink main … + others …; source …`: CPU per thread (main vs the rest), for the log. */
  threads: string;
}

/**
 * Raw TCP, disk to disk: seconds from spawning the sink, which dials the listening source (as
 * `msrp send` dials `msrp listen`), until it has written all.
 */
async function rawCopy(file: string, out: string, bytes: number): Promise<Copy> {
  const source = new NodeProcess([diskPeer, 'source', file], 'raw-source');
  const port = (await source.waitFor(/^port (\d+)$/m))[1]!;
  const sourceCpu0 = cpuMs(source.child.pid!) ?? 0;
  const sourceThreads = new ThreadCpuSampler(source.child.pid!);
  const t0 = performance.now();
  const sink = new NodeProcess([diskPeer, 'sink', port, out], 'raw-sink');
  const sinkThreads = new ThreadCpuSampler(sink.child.pid!);
  const saved = Number((await sink.waitFor(/^saved (\d+)$/m))[1]);
  const sinkCpu = sinkThreads.stop();
  await Promise.all([sink.exited, source.exited]);
  if (saved !== bytes) throw new Error(`raw copy: ${saved} of ${bytes} bytes`);
  return {
    seconds: (performance.now() - t0) / 1000,
    cpuMs: source.cpuMs - sourceCpu0 + sink.cpuMs,
    threads: `sink ${formatThreadCpu(sinkCpu)}; source ${formatThreadCpu(sourceThreads.stop())}`,
  };
}

interface CliRun extends Copy {
  senderRss: number;
  receiverRss: number;
  /** `msrp send: ... ; msrp listen: ...`: each one's RSS at its highest sample, split. */
  rssParts: string;
}

/** `64.8 MiB (anon 23.4, file 41.4)`: anonymous pages are what the process itself allocated. */
function formatParts(p: ResidentParts | undefined): string {
  return p ? `${p.rss.toFixed(1)} MiB (anon ${p.anon.toFixed(1)}, file ${p.file.toFixed(1)})` : '?';
}

/**
 * `msrp listen` → `msrp send --file` (with `args`): seconds from spawning send until the file
 * is saved.
 */
async function msrpCopy(
  file: string,
  outDir: string,
  bytes: number,
  args: readonly string[] = [],
): Promise<CliRun> {
  const listen = msrp(['listen', '--uri', 'msrp://127.0.0.1:0;tcp', '--out', outDir]);
  try {
    const uri = (await listen.waitFor(/^listening (\S+)$/m))[1]!;
    const listenCpu0 = cpuMs(listen.child.pid!) ?? 0;
    const listenThreads = new ThreadCpuSampler(listen.child.pid!);
    const t0 = performance.now();
    const send = msrp(['send', '--to', uri, '--file', file, ...args]);
    const sendThreads = new ThreadCpuSampler(send.child.pid!);
    const saved = await listen.waitFor(/^saved (\S+) \((\d+) bytes, .*hash matched\)$/m);
    const listenCpu = (cpuMs(listen.child.pid!) ?? listen.cpuMs) - listenCpu0;
    const listenPerThread = listenThreads.stop();
    const code = await send.exited;
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`msrp send exited ${code}: ${send.stderr}`);
    if (Number(saved[2]) !== bytes || (await stat(saved[1]!)).size !== bytes)
      throw new Error(`msrp copy: ${saved[2]} of ${bytes} bytes`);
    await listen.stop('SIGINT');
    return {
      seconds,
      cpuMs: listenCpu + send.cpuMs,
      senderRss: send.peakRss,
      receiverRss: listen.peakRss,
      rssParts: `msrp send ${formatParts(send.peakParts)}; msrp listen ${formatParts(listen.peakParts)}`,
      threads: `msrp send ${formatThreadCpu(sendThreads.stop())}; msrp listen ${formatThreadCpu(listenPerThread)}`,
    };
  } finally {
    await listen.stop('SIGINT');
  }
}

/** Runs the CLI benchmark: start times, then `rounds` alternating disk-to-disk copies. */
export async function runCliBench(
  bytes: number,
  rounds: number,
  log: (line: string) => void,
): Promise<{ rows: Row[]; limits: LimitRow[] }> {
  const limits: LimitRow[] = [];
  const runs = rounds > 1 ? 11 : 5;
  log(`cli: start times (median of ${runs})...`);
  const node = await startMs('-e', ['0'], runs).catch(() => NaN);
  const help = await startMs(MSRP_BIN, ['--help'], runs);
  const relayHelp = await startMs(RELAY_BIN, ['--help'], runs);
  const firstByte = await sendFirstByteMs(runs);
  limits.push(
    {
      name: `msrp --help start (node -e 0: ${node.toFixed(0)} ms)`,
      value: help,
      unit: 'ms',
      limit: 200,
    },
    { name: 'msrp-relay --help start', value: relayHelp, unit: 'ms', limit: 200 },
    {
      name: 'msrp send: spawn to its first byte on the wire',
      value: firstByte,
      unit: 'ms',
      limit: 400,
    },
  );

  const mib = bytes / 1024 / 1024;
  const dir = await mkdtemp(join(tmpdir(), 'msrp-bench-cli-'));
  try {
    const file = join(dir, 'payload.bin');
    log(`cli: writing a ${mib} MiB file...`);
    await writeRandomFile(file, bytes);
    const raw: Copy[] = [];
    const ours: CliRun[] = [];
    const small: CliRun[] = [];
    for (let i = 0; i < rounds; i++) {
      log(`cli: round ${i + 1}/${rounds}: raw TCP disk to disk, ${mib} MiB...`);
      const out = join(dir, 'raw.bin');
      raw.push(await rawCopy(file, out, bytes));
      log(`cli: round ${i + 1}/${rounds}: raw CPU per thread: ${raw.at(-1)!.threads}`);
      await rm(out, { force: true });
      log(`cli: round ${i + 1}/${rounds}: msrp send --file → msrp listen, ${mib} MiB...`);
      const outDir = join(dir, `out-${i}`);
      ours.push(await msrpCopy(file, outDir, bytes));
      log(`cli: round ${i + 1}/${rounds}: RSS at the highest sample: ${ours.at(-1)!.rssParts}`);
      log(`cli: round ${i + 1}/${rounds}: msrp CPU per thread: ${ours.at(-1)!.threads}`);
      await rm(outDir, { recursive: true, force: true });
      // What a file through relays goes in: send's straight-to-listen default is 64 KiB.
      log(`cli: round ${i + 1}/${rounds}: the same with --chunk-size 8k...`);
      small.push(await msrpCopy(file, outDir, bytes, ['--chunk-size', '8k']));
      log(
        `cli: round ${i + 1}/${rounds}: with 8 KiB chunks, CPU per thread: ${small.at(-1)!.threads}`,
      );
      await rm(outDir, { recursive: true, force: true });
    }
    const mbps = (s: number): number => bytes / s / 1e6;
    const oursMbps = ours.map((r) => mbps(r.seconds));
    const smallMbps = small.map((r) => mbps(r.seconds));
    const rawMbps = raw.map((r) => mbps(r.seconds));
    const spread = (v: number[]): number => (Math.max(...v) - Math.min(...v)) / 2 / median(v);
    const row: Row = {
      bench: 'cli',
      name: `msrp send --file → msrp listen, ${mib} MiB disk to disk, SHA-256, 64 KiB chunks (${median(ours.map((r) => r.seconds)).toFixed(2)} s vs ${median(raw.map((r) => r.seconds)).toFixed(2)} s)`,
      unit: 'MB/s',
      ours: median(oursMbps),
      baseline: median(rawMbps),
      ratio: median(oursMbps) / median(rawMbps),
      oursSpread: spread(oursMbps),
      baselineSpread: spread(rawMbps),
      baselineIs: `raw TCP disk to disk: a Node process reading the ${mib} MiB file into a socket, another writing what it reads into one buffer to a file (the dialing sink's start included, as msrp send's)`,
      goal: 0.7,
    };
    const smallRow: Row = {
      ...row,
      name: `the same with --chunk-size 8k, as through relays (${median(small.map((r) => r.seconds)).toFixed(2)} s)`,
      ours: median(smallMbps),
      ratio: median(smallMbps) / median(rawMbps),
      oursSpread: spread(smallMbps),
      goal: undefined,
    };
    // CPU time is what a loaded machine distorts least: bytes per CPU second of both processes.
    const oursCpu = ours.map((r) => mbps(r.cpuMs / 1000));
    const rawCpu = raw.map((r) => mbps(r.cpuMs / 1000));
    const cpuRow: Row = {
      bench: 'cli',
      name: `msrp send --file → msrp listen, ${mib} MiB, per CPU second of both processes (${median(ours.map((r) => r.cpuMs)).toFixed(0)} ms vs ${median(raw.map((r) => r.cpuMs)).toFixed(0)} ms)`,
      unit: 'MB/s',
      ours: median(oursCpu),
      baseline: median(rawCpu),
      ratio: median(oursCpu) / median(rawCpu),
      oursSpread: spread(oursCpu),
      baselineSpread: spread(rawCpu),
      baselineIs: `raw TCP disk to disk, the same processes' CPU time (user + system, sampled from /proc every 20 ms; the dialing side's start included, the listener's before it not)`,
    };
    limits.push(
      {
        name: 'peak RSS, msrp send --file (worst round)',
        value: Math.max(...[...ours, ...small].map((r) => r.senderRss)),
        unit: 'MiB',
        limit: 64,
      },
      {
        name: 'peak RSS, msrp listen (worst round)',
        value: Math.max(...[...ours, ...small].map((r) => r.receiverRss)),
        unit: 'MiB',
        limit: 64,
      },
    );
    return { rows: [row, smallRow, cpuRow], limits };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
