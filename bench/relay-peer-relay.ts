// The relay process of the relay benchmark (bench/relay-peer.ts): msrp-relay as the msrp-relay
// command runs it, and nothing a deployed relay would not load (no Endpoint, no floor or pipe,
// no perf_hooks until 'watch', no inspector unless BENCH_HEAP_PROFILE): its RSS is the relay's.
import { adaptYoungGeneration, Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';
import { USERS } from './lib/users.js';
import { command, heapMiB, relayFigures, report, rssMiB, settle } from './relay-peer-ipc.js';

/**
 * Starts watching the relay's event loop and GC pauses (at the first 'watch'), reset by each.
 * Not before: a GC observer costs the relay a PerformanceEntry per scavenge (~1 µs per
 * forwarded 100-byte message), which only the bench that reads the figures (relay-active)
 * should pay; perf_hooks is loaded then too.
 */
function watchOnCommand(): void {
  let reset: (() => void) | undefined;
  process.on('message', (m: { type?: string }) => {
    if (m.type !== 'watch') return;
    reset ??= watch();
    reset();
  });
}

function watch(): () => void {
  const { constants, monitorEventLoopDelay, PerformanceObserver } =
    process.getBuiltinModule('node:perf_hooks');
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const gcPauses = { total: 0, max: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { duration } = entry;
      // Not the GCs the bench forces to read the live heap ('measure').
      const flags = (entry as { detail?: { flags?: number } }).detail?.flags ?? 0;
      if (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
      gcPauses.total += duration;
      gcPauses.max = Math.max(gcPauses.max, duration);
    }
  }).observe({ entryTypes: ['gc'] });
  // The live heap without forcing a GC (a forced one stalls a busy relay for ~1 s, and the
  // backlog that then comes at once raised its RSS for good): the heap used after the last
  // mark-compact V8 made by itself, read from its GC profiler.
  const { GCProfiler } = process.getBuiltinModule('node:v8');
  let profiler = new GCProfiler();
  profiler.start();
  let liveMiB = NaN;
  relayFigures.read = () => {
    for (const gc of profiler.stop()?.statistics ?? []) {
      if (gc.gcType === 'MarkSweepCompact')
        liveMiB = gc.afterGC.heapStatistics.usedHeapSize / 1024 / 1024;
    }
    profiler = new GCProfiler();
    profiler.start();
    return {
      loopMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      gcMs: { ...gcPauses },
      memory: memoryByKind(),
      liveMiB,
    };
  };
  return () => {
    loopDelay.reset();
    gcPauses.total = gcPauses.max = 0;
  };
}

/** What {@link RelayPeerReport}'s `memory` holds: where RSS growth is, V8's spaces or not. */
function memoryByKind(): Record<string, number> {
  const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
  const kinds: Record<string, number> = {};
  for (const space of process.getBuiltinModule('node:v8').getHeapSpaceStatistics())
    kinds[space.space_name.replace(/_space$/, '')] = mib(space.space_size);
  kinds.external = mib(process.memoryUsage().external);
  return kinds;
}

/** Runs the relay until the parent says 'stop'; `ws`: listen on WebSocket too. */
export async function relayRole(ws: boolean): Promise<void> {
  watchOnCommand();
  const relay = new Relay({
    credentials: new StaticCredentialStore(USERS),
    limits: {
      maxConnectionsPerAddress: 50_000,
      maxConnections: 50_000,
      // The memory bench's 100,000 sessions over 1,000 connections.
      maxSessionsPerConnection: 100,
    },
  });
  // As the msrp-relay command does (its flags come from its bin: peer-process.ts).
  adaptYoungGeneration({ work: () => relay.stats.requestsForwarded });
  const uri = await relay.listen({ host: '127.0.0.1', port: 0 });
  const wsUri = ws
    ? await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' })
    : undefined;
  await settle();
  report({ event: 'rss', rssMiB: rssMiB(), heapMiB: heapMiB() });
  report({ event: 'ready', uri, ...(wsUri && { wsUri }) });
  // 'measure' (the memory bench) may come, 'stop' always does: a relay told to stop before
  // any 'measure' stops at once (it used to wait for one, and was killed 5 s later).
  const measure = (m: { type?: string }): void => {
    if (m.type === 'measure')
      void settle().then(() => report({ event: 'rss', rssMiB: rssMiB(), heapMiB: heapMiB() }));
  };
  process.on('message', measure);
  // BENCH_HEAP_PROFILE=DIR: every allocation the relay makes, short-lived ones included.
  const heap = process.env.BENCH_HEAP_PROFILE
    ? await (await import('./lib/heap-sampling.js')).startHeapSampling('relay')
    : undefined;
  // BENCH_MEMLOG=1: what its RSS is made of, sampled every 100 ms on stderr.
  const memlog = process.env.BENCH_MEMLOG
    ? new (await import('./lib/memory-peak.js')).MemoryPeak('relay')
    : undefined;
  await command('stop');
  memlog?.stop();
  process.off('message', measure);
  await heap?.stop();
  await relay.close(1000);
}
