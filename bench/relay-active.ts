// Active sessions through one relay (issue 13, "Capacity, measured"): `sessions` endpoints
// authenticated to one relay process, in pairs exchanging a chat line a second, plus 20 file
// transfers, for `seconds`; the clients live in several child processes. Messages per second,
// send→arrival p50/p99, the relay's RSS at the start, middle and end, and every chat line
// counted: none lost, none duplicated.
//
// The clients stand in for 10,000 users on machines of their own, but here they share the
// relay's 2 cores and need ~2.5 times its CPU per line: at nice 0 the relay (one thread among
// ~7 busy ones) was runnable ~95 % of the run yet on a CPU ~55 % (its run-queue wait, read
// from /proc, is printed), so the lines queued in it and the pairs' one-line-at-a-time loop
// turned the backlog into ~1 s of latency. The client processes therefore run at nice
// BENCH_CLIENT_NICE (default 10), and with node's default heap flags (BENCH_CLIENT_FLAGS;
// the `msrp` bin's small-heap flags cost a client holding 2,500 endpoints ~20 % more CPU per
// line). The probe pairs keep nice 0: their latency is what a user of the relay would see.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, setPriority } from 'node:os';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import {
  BUCKETS,
  bucketMs,
  type ActivePeerCommand,
  type ActivePeerReport,
} from './relay-active-peer.js';
import { Peer } from './relay-run.js';
import { profileArgv } from './lib/peer-process.js';
import { schedTimes } from './lib/sched-wait.js';
import type { Row } from './lib/measure.js';
import { CHAT_LIMIT_MS, type LimitRow } from './transfer.js';

const script = new URL('./relay-active-peer.js', import.meta.url).pathname;

/** BENCH_CLIENT_NICE=N: the crowd's client processes' nice value (default 10; see above). */
const CLIENT_NICE = Number(process.env.BENCH_CLIENT_NICE ?? 10);
/** BENCH_CLIENT_FLAGS="...": the client processes' node flags (default: node's own). */
const CLIENT_FLAGS = process.env.BENCH_CLIENT_FLAGS?.split(' ').filter(Boolean) ?? [];

/** A client process with its reports. */
class Clients {
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

function percentileOf(histogram: readonly number[], p: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let b = 0; b < histogram.length; b++) {
    seen += histogram[b]!;
    if (seen >= (p / 100) * total && seen > 0) return bucketMs(b);
  }
  return NaN;
}

/**
 * Runs `sessions` active sessions (pairs, spread over `processes` client processes) and 20
 * transfers of `fileBytes` through one relay for `seconds`.
 */
export async function runRelayActiveBench(
  sessions: number,
  seconds: number,
  fileBytes: number,
  processes: number,
  log: (line: string) => void,
): Promise<{ rows: Row[]; limits: LimitRow[] }> {
  const FILES = 20;
  // A few pairs in a process of their own, nearly idle: their latency is the relay's share,
  // where the crowd's includes the crowd processes' own event loops (all on this machine).
  const PROBE_PAIRS = 10;
  const relay = new Peer({ role: 'relay' });
  const clients: Clients[] = [];
  try {
    await relay.next('rss');
    const uri: MsrpUri = (await relay.next('ready')).uri!;
    // The sessions chat; the 20 transfers have sessions of their own beside.
    const pairs = Math.floor(sessions / 2);
    log(
      `relay-active: ${pairs * 2} + ${FILES * 2} sessions in ${processes} processes, authenticating...`,
    );
    const t0 = performance.now();
    for (let p = 0; p < processes; p++) {
      const share = Math.floor(pairs / processes) + (p < pairs % processes ? 1 : 0);
      const start = { type: 'start', relay: uri, pairs: share, files: 0, fileBytes } as const;
      clients.push(new Clients(`active-${p}`, start, CLIENT_NICE));
    }
    // The transfers in a process of their own: the chat clients' event loops stay free.
    const start = { type: 'start', relay: uri, pairs: 0, files: FILES, fileBytes } as const;
    clients.push(new Clients('active-files', start, CLIENT_NICE));
    const probe = new Clients('active-probe', {
      type: 'start',
      relay: uri,
      pairs: PROBE_PAIRS,
      files: 0,
      fileBytes,
    });
    const ready = await Promise.all([...clients, probe].map((c) => c.next('ready')));
    const up = ready.reduce((n, r) => n + r.sessions, 0);
    log(`relay-active: ${up} sessions up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    clients.push(probe);
    const ms = seconds * 1000;
    // The relay's live JS heap (after a full GC) before and after: growth there is a leak;
    // RSS growth without it is V8 and the allocator keeping pages.
    const live0 = await relay.measure();
    const sample = async (at: number): Promise<{ at: number; mib: number; heap: number }> => {
      const r = await relay.usage();
      return { at, mib: r.rssMiB, heap: r.heapMiB };
    };
    const rss = [await sample(0)];
    const cpu0 = await relay.cpu();
    const sched0 = schedTimes(relay.child.pid!);
    relay.tell('watch');
    const started = performance.now();
    for (const c of clients) c.send({ type: 'go', ms });
    const done = Promise.all(clients.map((c) => c.next('done')));
    // RSS sampled ten times over the run.
    // The live heap in the middle too: each session's first lines leave state that stays as
    // long as it does (head templates, a pending map), so growth is only a leak from there on.
    // One full GC in the relay, mid-run: a pause of ~0.1 s for the lines of that moment.
    let liveMid = live0;
    const samples = (async () => {
      for (let i = 1; i <= 10; i++) {
        if (i === 6) {
          liveMid = await relay.measure();
        }
        const due = started + (i * ms) / 10;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
        rss.push(await sample((performance.now() - started) / 1000));
        const { at, mib, heap } = rss.at(-1)!;
        log(
          `relay-active: ${at.toFixed(0)} s, relay RSS ${mib.toFixed(1)} MiB, JS heap ${heap.toFixed(1)} MiB`,
        );
      }
    })();
    const all = await done;
    await samples;
    const relayEnd = await relay.usage();
    const cpuMs = relayEnd.ms - cpu0;
    const sched1 = schedTimes(relay.child.pid!);
    // Runnable but not running, % of the run (its threads summed; the main thread's dominates).
    const relayWait = sched0 && sched1 ? ((sched1.waitNs - sched0.waitNs) / 1e6 / ms) * 100 : NaN;
    const live1 = await relay.measure();
    const probed = all.at(-1)!;
    const results = all.slice(0, -1);
    const sum = (f: (r: (typeof results)[number]) => number): number =>
      results.reduce((n, r) => n + f(r), 0);
    const histogram = new Array<number>(BUCKETS).fill(0);
    for (const r of results) r.histogram.forEach((n, b) => (histogram[b]! += n));
    const sent = sum((r) => r.sent);
    const received = sum((r) => r.received);
    // Where the time goes: the relay's CPU (of one core) and the client processes' (of the
    // machine), and how late each event loop ran.
    const cores = availableParallelism();
    const relayCpu = (cpuMs / ms) * 100;
    const clientCpu = (all.reduce((n, r) => n + r.cpuMs, 0) / ms / cores) * 100;
    const clientLoopP99 = Math.max(...results.map((r) => r.loopMs.p99));
    const relayLoop = relayEnd.loopMs ?? { p99: NaN, max: NaN };
    const relayGc = relayEnd.gcMs ?? { total: NaN, max: NaN };
    const probeP50 = percentileOf(probed.histogram, 50);
    const probeP99 = percentileOf(probed.histogram, 99);
    const offered = (sent + sum((r) => r.failed)) / seconds;
    const rate = received / seconds;
    const p50 = percentileOf(histogram, 50);
    const p99 = percentileOf(histogram, 99);
    const files = {
      done: sum((r) => r.files.done),
      failed: sum((r) => r.files.failed),
      bytes: sum((r) => r.files.bytes),
    };
    const mid = rss[Math.floor(rss.length / 2)]!;
    // From the middle on: the start includes the warm-up of 10,000 sessions' first lines.
    const slope = ((rss.at(-1)!.mib - mid.mib) / (rss.at(-1)!.at - mid.at)) * 60;
    log(
      `relay-active: ${sent} lines confirmed, ${received} arrived, ${sum((r) => r.failed)} failed; ` +
        `files ${files.done}/${FILES} done (${(files.bytes / 1024 / 1024).toFixed(0)} MiB), ` +
        `${files.failed} failed; relay CPU ${relayCpu.toFixed(0)}% of a core, waited for one ` +
        `${relayWait.toFixed(0)}% of the run, event loop p99 ` +
        `${relayLoop.p99.toFixed(1)} ms, GC pauses ${relayGc.total.toFixed(0)} ms (longest ` +
        `${relayGc.max.toFixed(0)} ms); client processes ${clientCpu.toFixed(0)}% of ${cores} ` +
        `cores, event loop p99 up to ${clientLoopP99.toFixed(0)} ms; probe pairs p50/p99 ` +
        `${probeP50.toFixed(1)}/${probeP99.toFixed(1)} ms; relay live heap ` +
        `${live0.heapMiB.toFixed(1)} -> ${liveMid.heapMiB.toFixed(1)} -> ${live1.heapMiB.toFixed(1)} MiB`,
    );
    const what = `${pairs * 2} chatting sessions + ${FILES} transfers, ${seconds} s`;
    return {
      rows: [
        {
          bench: 'relay-active',
          name: `${what}: chat lines/s delivered vs sent (a line a second per pair; ${files.done}/${FILES} files done)`,
          unit: 'msgs/s',
          ours: rate,
          baseline: offered,
          ratio: rate / offered,
          oursSpread: 0,
          baselineSpread: 0,
          baselineIs:
            'the chat lines the pairs sent per second (what the relay was offered); ratio: delivered / sent',
          goal: 0.99,
        },
      ],
      limits: [
        {
          name: `${what}: chat lines lost (of ${sent + probed.sent})`,
          value: sum((r) => r.lost) + probed.lost,
          unit: '',
          limit: 1,
        },
        {
          name: `${what}: chat lines duplicated`,
          value: sum((r) => r.duplicates) + probed.duplicates,
          unit: '',
          limit: 1,
        },
        // The relay's share: pairs in a nearly idle process of their own.
        {
          name: `${what}: chat send→arrival p50, ${PROBE_PAIRS} probe pairs in a process of their own`,
          value: probeP50,
          unit: 'ms',
          limit: CHAT_LIMIT_MS,
        },
        {
          name: `${what}: chat send→arrival p99, ${PROBE_PAIRS} probe pairs in a process of their own`,
          value: probeP99,
          unit: 'ms',
          limit: CHAT_LIMIT_MS,
        },
        {
          name: `${what}: relay CPU (% of one core)`,
          value: relayCpu,
          unit: '%',
          limit: 100,
        },
        {
          // Runnable, waiting for a core: the CPU the relay wanted and did not get. High here
          // with low CPU above: the machine is short of cores, not the relay idle or blocked.
          name: `${what}: relay waiting for a CPU (runnable, not running; % of the run)`,
          value: relayWait,
          unit: '%',
          limit: 10,
        },
        {
          // Capacity: a core carries 1e6 / this chat lines a second (the transfers included);
          // the limit is where the lines offered would take the whole core.
          name: `${what}: relay CPU per chat line delivered (transfers included)`,
          value: (cpuMs * 1000) / (received + probed.received),
          unit: 'µs',
          limit: Math.round(1e6 / offered),
        },
        {
          // A nearly idle process: its timers run late only when this machine has no CPU for it.
          name: `${what}: probe process's event loop delay p99 (what the machine's load alone costs)`,
          value: probed.loopMs.p99,
          unit: 'ms',
          limit: CHAT_LIMIT_MS,
        },
        {
          // The interval between runs of a 10 ms timer: a backlogged relay spends long poll
          // phases (libuv handles up to 48 x 1,024 ready sockets before it runs timers again).
          name: `${what}: relay event loop delay p99 (how late it ran timers)`,
          value: relayLoop.p99,
          unit: 'ms',
          limit: CHAT_LIMIT_MS,
        },
        {
          // Wall time: a GC whose helper threads wait for a CPU lasts longer.
          name: `${what}: relay GC pauses, % of the run`,
          value: (relayGc.total / ms) * 100,
          unit: '%',
          limit: 5,
        },
        {
          name: `${what}: relay's longest GC pause`,
          value: relayGc.max,
          unit: 'ms',
          limit: CHAT_LIMIT_MS,
        },
        // The crowd's latency includes its own processes: with the relay on ${cores} cores.
        {
          name: `${what}: client processes' CPU (% of the machine's ${cores} cores, relay's not included)`,
          value: clientCpu,
          unit: '%',
          limit: 100,
        },
        {
          name: `${what}: client processes' event loop delay p99 (worst process)`,
          value: clientLoopP99,
          unit: 'ms',
          limit: CHAT_LIMIT_MS,
        },
        {
          name: `${what}: chat send→arrival p50, all pairs (client processes' delay included)`,
          value: p50,
          unit: 'ms',
          limit: CHAT_LIMIT_MS,
        },
        {
          name: `${what}: chat send→arrival p99, all pairs (client processes' delay included)`,
          value: p99,
          unit: 'ms',
          limit: CHAT_LIMIT_MS,
        },
        { name: `${what}: relay RSS at the start`, value: rss[0]!.mib, unit: 'MiB', limit: 1024 },
        {
          name: `${what}: relay RSS at ${mid.at.toFixed(0)} s`,
          value: mid.mib,
          unit: 'MiB',
          limit: 1024,
        },
        { name: `${what}: relay RSS at the end`, value: rss.at(-1)!.mib, unit: 'MiB', limit: 1024 },
        {
          name: `${what}: relay live JS heap (after a full GC) at the start`,
          value: live0.heapMiB,
          unit: 'MiB',
          limit: 1024,
        },
        {
          name: `${what}: relay live JS heap (after a full GC) in the middle`,
          value: liveMid.heapMiB,
          unit: 'MiB',
          limit: 1024,
        },
        {
          name: `${what}: relay live JS heap growth, middle to end (after a full GC; a leak grows)`,
          value: live1.heapMiB - liveMid.heapMiB,
          unit: 'MiB',
          limit: 1,
        },

        // Flat: under 1 MiB a minute from the middle to the end.
        {
          name: `${what}: relay RSS slope, middle to end`,
          value: slope,
          unit: 'MiB/min',
          limit: 1,
        },
      ],
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await relay.stop();
  }
}
