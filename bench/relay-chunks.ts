// The relay's cost per forwarded chunk at the default chunk size: a fresh relay forwards a
// transfer in 8 KiB chunks with a chat line every 20 ms beside it, after two such transfers
// untimed (V8 compiling its hot code, as the other benches warm up); the relay's CPU time per
// chunk and per MiB (CPU, not wall time: the figure holds on a loaded machine), its peak RSS,
// and the chat lines' send→200 through it.
import { Peer, run } from './relay-run.js';
import { median, percentile } from './lib/measure.js';
import { CHAT_LIMIT_MS, DEFAULT_CHUNK, RSS_LIMIT_MIB, type LimitRow } from './transfer.js';

/**
 * Transfers a fresh relay forwards untimed before its timed one, each on new connections. A
 * relay spends its first ~200 MiB at 8 KiB chunks compiling (`--trace-opt`: ~350 TurboFan
 * jobs of 1-8 ms each on this machine), and each new pair of connections brings objects of
 * shapes its optimized code has not seen (~25 deopts and ~80 compiles more in the second pair's
 * transfer, the compiler a third of its CPU): a relay's CPU per chunk read 60-90 µs in its
 * first 64 MiB, ~50 in a transfer after one of 256 MiB, and 24-36 from its third transfer on,
 * where a relay that has seen many connections runs.
 */
const WARM_UPS = 2;

/**
 * Runs `rounds` transfers of `bytes` through a fresh relay each, after {@link WARM_UPS} of them
 * untimed; medians are reported.
 */
export async function runRelayChunksBench(
  bytes: number,
  rounds: number,
  log: (line: string) => void,
): Promise<LimitRow[]> {
  const mib = bytes / 1024 / 1024;
  const chunks = bytes / DEFAULT_CHUNK;
  const perChunkUs: number[] = [];
  const chat: number[] = [];
  const arrival: number[] = [];
  const rss: number[] = [];
  for (let round = 0; round < rounds; round++) {
    log(`relay-chunks: ${mib} MiB, ${DEFAULT_CHUNK / 1024} KiB chunks, round ${round + 1}...`);
    const relay = new Peer({ role: 'relay' });
    await relay.next('rss');
    try {
      const uris = { tcp: (await relay.next('ready')).uri!, peer: relay };
      const work = { bytes, chunkSize: DEFAULT_CHUNK, chatEvery: 20 };
      const cold: number[] = [];
      for (let i = 0; i < WARM_UPS; i++) {
        const warming = await run('relay', uris, work);
        cold.push((warming.cpuMs.relay! * 1000) / chunks);
      }
      const result = await run('relay', uris, work);
      perChunkUs.push((result.cpuMs.relay! * 1000) / chunks);
      chat.push(percentile(result.chatMs, 99));
      arrival.push(percentile(result.chatArrivalMs, 99));
      rss.push(await relay.peakRss());
      log(
        `relay-chunks: ${(result.rate / 1e6).toFixed(0)} MB/s, ` +
          `relay ${perChunkUs.at(-1)!.toFixed(1)} µs CPU per chunk (untimed before: ${cold.map((us) => us.toFixed(1)).join(', ')}), ` +
          `chat p99 ${chat.at(-1)!.toFixed(1)} ms (arrival ${arrival.at(-1)!.toFixed(1)} ms), ` +
          `peak RSS ${rss.at(-1)!.toFixed(1)} MiB`,
      );
    } finally {
      await relay.stop();
    }
  }
  const us = median(perChunkUs);
  return [
    {
      name: `relay CPU per ${DEFAULT_CHUNK / 1024} KiB chunk forwarded (${mib} MiB)`,
      value: us,
      unit: 'µs',
      // 0.8 of raw TCP on this kind of machine leaves a few µs per chunk for each process.
      limit: 20,
    },
    {
      name: `relay CPU per MiB at ${DEFAULT_CHUNK / 1024} KiB chunks (${mib} MiB)`,
      value: (us * 128) / 1000,
      unit: 'ms',
      limit: 2.56,
    },
    {
      name: `relay peak RSS, median of ${rounds} (${mib} MiB, ${DEFAULT_CHUNK / 1024} KiB chunks)`,
      value: median(rss),
      unit: 'MiB',
      limit: RSS_LIMIT_MIB,
    },
    {
      name: `chat send→200 p99 through the relay, median of ${rounds} runs`,
      value: median(chat),
      unit: 'ms',
      limit: CHAT_LIMIT_MS,
    },
    {
      name: `chat send→arrival at the receiver p99 through the relay, median of ${rounds} runs`,
      value: median(arrival),
      unit: 'ms',
      limit: CHAT_LIMIT_MS,
    },
  ];
}
