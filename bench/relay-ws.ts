// Relay over WebSocket benchmark (RFC 7977): the same transfer through one relay process
// with both endpoints on WebSocket, on TCP, and through a plain TCP byte pipe (the physical
// baseline), every party in its own process; then small messages per second over each.
// Beside the rates, the CPU time each process spent per MiB (or per message) over WebSocket
// and over TCP: unlike a rate, that hardly moves with what else the machine runs.
import { median, type Row } from './lib/measure.js';
import type { Route } from './relay-peer.js';
import { Peer, run, spread, type RunResult } from './relay-run.js';

/**
 * Chunk size of the transfers: what `sendFile` uses by default, and under the 256 KiB above
 * which a session writes a chunk in several pieces, which a WebSocket may not carry (RFC 7977
 * §5.1). The pipe and TCP routes use it too, so that every route moves the same frames.
 */
const CHUNK_SIZE = 64 * 1024;

type WsRoute = Extract<Route, 'pipe' | 'relay' | 'relay-ws'>;
type Results = Record<WsRoute, RunResult[]>;

/** A row comparing two routes on one figure of their runs. */
function compareRow(
  results: Results,
  figure: (r: RunResult) => number,
  row: Omit<Row, 'ours' | 'baseline' | 'ratio' | 'oursSpread' | 'baselineSpread'>,
  ours: WsRoute,
  base: WsRoute,
): Row {
  const a = results[ours].map(figure);
  const b = results[base].map(figure);
  return {
    ...row,
    ours: median(a),
    baseline: median(b),
    ratio: median(a) / median(b),
    oursSpread: spread(a),
    baselineSpread: spread(b),
  };
}

/**
 * Runs the relay-over-WebSocket benchmark: `bytes` per transfer (256 MiB by default),
 * `rounds` runs per route, the routes alternated so that drift hits them alike; the median
 * is reported. Rows: WebSocket vs TCP through the relay (goal 0.6), each vs the plain pipe,
 * the same for 100-byte messages, and CPU time per MiB (per message) of each process.
 */
export async function runRelayWsBench(
  bytes: number,
  rounds: number,
  log: (line: string) => void,
): Promise<Row[]> {
  const mib = bytes / 1024 / 1024;
  const relay = new Peer({ role: 'relay', ws: true });
  await relay.next('rss');
  const ready = await relay.next('ready');
  const uris = { tcp: ready.uri!, ws: ready.wsUri!, peer: relay };
  try {
    const routes: WsRoute[] = ['relay-ws', 'relay', 'pipe'];
    const measure = async (
      what: string,
      work: { bytes: number; messages?: number },
    ): Promise<Results> => {
      const results: Results = { 'relay-ws': [], relay: [], pipe: [] };
      for (let round = 0; round < rounds; round++) {
        for (const route of round % 2 ? [...routes].reverse() : routes) {
          log(`relay-ws: ${what} ${route}, round ${round + 1}/${rounds}...`);
          results[route].push(await run(route, uris, { ...work, chunkSize: CHUNK_SIZE }));
        }
      }
      return results;
    };
    const big = await measure(`${mib} MiB`, { bytes });
    const messages = bytes >= 256 * 1024 * 1024 ? 20_000 : 5_000;
    const small = await measure(`${messages} small messages`, { bytes: 0, messages });

    const bench = 'relay-ws';
    const chunks = `${CHUNK_SIZE / 1024} KiB chunks`;
    const viaTcp = 'the same MSRP endpoints and bytes through the same relay process over TCP';
    const viaPipe =
      'the same MSRP endpoints and bytes over TCP through a plain TCP byte pipe process (socket.pipe both ways)';
    const mbps = (r: RunResult): number => r.rate / 1e6;
    const msgs = (r: RunResult): number => r.rate;
    const perMiB =
      (who: keyof RunResult['cpuMs']) =>
      (r: RunResult): number =>
        (r.cpuMs[who] ?? NaN) / mib;
    const cpuRow = (who: keyof RunResult['cpuMs']): Row =>
      compareRow(
        big,
        perMiB(who),
        {
          bench,
          name: `${who} CPU per MiB through the relay, WebSocket vs TCP (ms; lower is better)`,
          unit: 'ms/MiB',
          baselineIs: viaTcp,
        },
        'relay-ws',
        'relay',
      );
    return [
      compareRow(
        big,
        mbps,
        {
          bench,
          name: `${mib} MiB through the relay, WebSocket vs TCP (${chunks})`,
          unit: 'MB/s',
          baselineIs: viaTcp,
          goal: 0.6,
        },
        'relay-ws',
        'relay',
      ),
      compareRow(
        big,
        mbps,
        {
          bench,
          name: `${mib} MiB through the relay over WebSocket vs a plain TCP pipe`,
          unit: 'MB/s',
          baselineIs: viaPipe,
        },
        'relay-ws',
        'pipe',
      ),
      compareRow(
        big,
        mbps,
        {
          bench,
          name: `${mib} MiB through the relay over TCP vs a plain TCP pipe (${chunks})`,
          unit: 'MB/s',
          baselineIs: viaPipe,
        },
        'relay',
        'pipe',
      ),
      cpuRow('relay'),
      cpuRow('sender'),
      cpuRow('receiver'),
      compareRow(
        small,
        msgs,
        {
          bench,
          name: '100-byte messages through the relay, WebSocket vs TCP (64 in flight, each confirmed by a REPORT)',
          unit: 'msgs/s',
          baselineIs: viaTcp,
        },
        'relay-ws',
        'relay',
      ),
      compareRow(
        small,
        msgs,
        {
          bench,
          name: '100-byte messages through the relay over WebSocket vs a plain TCP pipe',
          unit: 'msgs/s',
          baselineIs: viaPipe,
        },
        'relay-ws',
        'pipe',
      ),
      compareRow(
        small,
        (r) => ((r.cpuMs.relay ?? NaN) * 1000) / messages,
        {
          bench,
          name: 'relay CPU per 100-byte message, WebSocket vs TCP (µs; lower is better)',
          unit: 'µs/msg',
          baselineIs: viaTcp,
        },
        'relay-ws',
        'relay',
      ),
    ];
  } finally {
    await relay.stop();
  }
}
