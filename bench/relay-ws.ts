// Relay over WebSocket benchmark (RFC 7977): the same transfer through one relay process
// with both endpoints on WebSocket, on TCP, and through a plain TCP byte pipe (the physical
// baseline), every party in its own process; then small messages per second over each.
import type { Row } from './lib/measure.js';
import type { Route } from './relay-peer.js';
import { median, Peer, run, spread } from './relay-run.js';

/**
 * Chunk size of the transfers: what `sendFile` uses by default, and under the 256 KiB above
 * which a session writes a chunk in several pieces, which a WebSocket may not carry (RFC 7977
 * §5.1). The pipe and TCP routes use it too, so that every route moves the same frames.
 */
const CHUNK_SIZE = 64 * 1024;

type WsRoute = Extract<Route, 'pipe' | 'relay' | 'relay-ws'>;

/**
 * Runs the relay-over-WebSocket benchmark: `bytes` per transfer (256 MiB by default),
 * `rounds` runs per route, the routes alternated so that drift hits them alike; the median
 * is reported. Rows: WebSocket vs TCP through the relay (goal 0.6), each vs the plain pipe,
 * and the same for 100-byte messages.
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
  const uris = { tcp: ready.uri!, ws: ready.wsUri! };
  try {
    const routes: WsRoute[] = ['relay-ws', 'relay', 'pipe'];
    const ordered = (round: number): WsRoute[] => (round % 2 ? [...routes].reverse() : routes);
    const measure = async (
      what: string,
      work: { bytes: number; messages?: number },
    ): Promise<Record<WsRoute, number[]>> => {
      const rates: Record<WsRoute, number[]> = { 'relay-ws': [], relay: [], pipe: [] };
      for (let round = 0; round < rounds; round++) {
        for (const route of ordered(round)) {
          log(`relay-ws: ${what} ${route}, round ${round + 1}/${rounds}...`);
          rates[route].push(await run(route, uris, { ...work, chunkSize: CHUNK_SIZE }));
        }
      }
      return rates;
    };
    const big = await measure(`${mib} MiB`, { bytes });
    const messages = bytes >= 256 * 1024 * 1024 ? 20_000 : 5_000;
    const small = await measure(`${messages} small messages`, { bytes: 0, messages });

    const row = (
      rates: Record<WsRoute, number[]>,
      unit: 'MB/s' | 'msgs/s',
      name: string,
      ours: WsRoute,
      base: WsRoute,
      baselineIs: string,
      goal?: number,
    ): Row => {
      const k = unit === 'MB/s' ? 1e-6 : 1;
      return {
        bench: 'relay-ws',
        name,
        unit,
        ours: median(rates[ours]) * k,
        baseline: median(rates[base]) * k,
        ratio: median(rates[ours]) / median(rates[base]),
        oursSpread: spread(rates[ours]),
        baselineSpread: spread(rates[base]),
        baselineIs,
        ...(goal !== undefined && { goal }),
      };
    };
    const viaTcp = 'the same MSRP endpoints and bytes through the same relay process over TCP';
    const viaPipe =
      'the same MSRP endpoints and bytes over TCP through a plain TCP byte pipe process (socket.pipe both ways)';
    const chunks = `${CHUNK_SIZE / 1024} KiB chunks`;
    return [
      row(
        big,
        'MB/s',
        `${mib} MiB through the relay, WebSocket vs TCP (${chunks})`,
        'relay-ws',
        'relay',
        viaTcp,
        0.6,
      ),
      row(
        big,
        'MB/s',
        `${mib} MiB through the relay over WebSocket vs a plain TCP pipe`,
        'relay-ws',
        'pipe',
        viaPipe,
      ),
      row(
        big,
        'MB/s',
        `${mib} MiB through the relay over TCP vs a plain TCP pipe (${chunks})`,
        'relay',
        'pipe',
        viaPipe,
      ),
      row(
        small,
        'msgs/s',
        '100-byte messages through the relay, WebSocket vs TCP (64 in flight, each confirmed by a REPORT)',
        'relay-ws',
        'relay',
        viaTcp,
      ),
      row(
        small,
        'msgs/s',
        '100-byte messages through the relay over WebSocket vs a plain TCP pipe',
        'relay-ws',
        'pipe',
        viaPipe,
      ),
    ];
  } finally {
    await relay.stop();
  }
}
