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
import { availableParallelism } from 'node:os';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import { BUCKETS, bucketMs, WINDOW_MS } from './relay-active-peer.js';
import { Clients, CLIENT_NICE } from './relay-active-clients.js';
import { Peer } from './relay-run.js';
import { schedTimes } from './lib/sched-wait.js';
import type { Row } from './lib/measure.js';
import { CHAT_LIMIT_MS, type LimitRow } from './transfer.js';

/** One reading of the relay's memory during the run (MiB; `at` in s). */
interface Sample {
  at: number;
  mib: number;
  heap: number;
  /** JS heap used after the last mark-compact (NaN before the first). */
  live: number;
  memory: string;
}

/** The least-squares slope of `value` over the samples' time, in MiB per second. */
function slopeOf(samples: readonly Sample[], value: (s: Sample) => number): number {
  const n = samples.length;
  const meanT = samples.reduce((a, s) => a + s.at, 0) / n;
  const meanV = samples.reduce((a, s) => a + value(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.at - meanT) * (value(s) - meanV);
    den += (s.at - meanT) ** 2;
  }
  return num / den;
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
    // The relay's live JS heap (after a full GC) before and after the run.
    const live0 = await relay.measure();
    // During it, the heap used after the relay's own last mark-compact (none is forced: that
    // stalled the relay for ~1 s, and the backlog that came at once raised RSS for good): a
    // climb there from the middle on is a leak; RSS growth without it is V8 and the allocator
    // keeping pages.
    const sample = async (at: number): Promise<Sample> => {
      const r = await relay.usage();
      const memory = Object.entries(r.memory ?? {})
        .filter(([, mib]) => mib > 0)
        .map(([kind, mib]) => `${kind} ${mib}`)
        .join(', ');
      return { at, mib: r.rssMiB, heap: r.heapMiB, live: r.liveMiB ?? NaN, memory };
    };
    const rss = [await sample(0)];
    const cpu0 = await relay.cpu();
    const sched0 = schedTimes(relay.child.pid!);
    relay.tell('watch');
    const started = performance.now();
    for (const c of clients) c.send({ type: 'go', ms });
    const done = Promise.all(clients.map((c) => c.next('done')));
    // RSS and the live heap sampled ten times over the run. Each session's first lines leave
    // state that stays as long as it does (head templates, a pending table), so growth is only
    // a leak from the middle on.
    const samples = (async () => {
      for (let i = 1; i <= 10; i++) {
        const due = started + (i * ms) / 10;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
        rss.push(await sample((performance.now() - started) / 1000));
        const { at, mib, heap, live, memory } = rss.at(-1)!;
        log(
          `relay-active: ${at.toFixed(0)} s, relay RSS ${mib.toFixed(1)} MiB, JS heap ${heap.toFixed(1)} MiB` +
            ` (${live.toFixed(1)} after the last mark-compact; committed, MiB: ${memory})`,
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
    const last = rss.at(-1)!;
    // From the middle on (the start includes the warm-up of 10,000 sessions' first lines), a
    // least-squares line through the samples: RSS moves ±10 MiB with each GC cycle, which a
    // slope from two samples took for a trend.
    const secondHalf = rss.slice(rss.indexOf(mid));
    const slope = slopeOf(secondHalf, (s) => s.mib) * 60;
    // The live heap the same way: each reading moves ±3 MiB with what is in flight at the last
    // mark-compact; a leak is a steady climb.
    const liveSlope = slopeOf(secondHalf, (s) => s.live) * 60;
    log(
      `relay-active: ${sent} lines confirmed, ${received} arrived, ${sum((r) => r.failed)} failed; ` +
        `files ${files.done}/${FILES} done (${(files.bytes / 1024 / 1024).toFixed(0)} MiB), ` +
        `${files.failed} failed; relay CPU ${relayCpu.toFixed(0)}% of a core, waited for one ` +
        `${relayWait.toFixed(0)}% of the run, event loop p99 ` +
        `${relayLoop.p99.toFixed(1)} ms, GC pauses ${relayGc.total.toFixed(0)} ms (longest ` +
        `${relayGc.max.toFixed(0)} ms); client processes ${clientCpu.toFixed(0)}% of ${cores} ` +
        `cores, event loop p99 up to ${clientLoopP99.toFixed(0)} ms; probe pairs p50/p99 ` +
        `${probeP50.toFixed(1)}/${probeP99.toFixed(1)} ms; relay live heap ${live0.heapMiB.toFixed(1)} ` +
        `-> ${mid.live.toFixed(1)} -> ${last.live.toFixed(1)} (mark-compacts at ${mid.at.toFixed(0)} s ` +
        `and the end) -> ${live1.heapMiB.toFixed(1)} MiB (after the run)`,
    );
    // Where in the run the probes' tail fell (the start's warm-up, one GC, or throughout),
    // beside the crowd processes' own longest stall in each window: they share the relay's cores.
    const crowdStall = (i: number): number =>
      Math.max(...results.map((r) => r.windows[i]?.stallMs ?? 0));
    log(
      `relay-active: per ${WINDOW_MS / 1000} s, probe lines over 100 ms / slowest probe line / ` +
        `longest crowd process stall (ms): ` +
        probed.windows
          .map((w, i) => `${w.slow}/${w.maxMs.toFixed(0)}/${crowdStall(i).toFixed(0)}`)
          .join(' '),
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
          name: `${what}: relay live JS heap (after its last mark-compact) at ${mid.at.toFixed(0)} s`,
          value: mid.live,
          unit: 'MiB',
          limit: 1024,
        },
        {
          name: `${what}: relay live JS heap slope, middle to end (after its mark-compacts, least squares; a leak climbs)`,
          value: liveSlope,
          unit: 'MiB/min',
          limit: 1,
        },
        // Flat: under 1 MiB a minute from the middle to the end.
        {
          name: `${what}: relay RSS slope, middle to end (least squares)`,
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
