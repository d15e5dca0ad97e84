// Forwarding through a relay where at least one endpoint speaks MSRP over WebSocket (RFC
// 7977), as properties: ws -> tcp, tcp -> ws and ws -> ws, any mix of messages (empty to a few
// MiB, text and binary) under any chunk size and window, both ways at once, arrives exact and
// once; every outcome of a send (success REPORTs, refusals, aborts) crosses the relay. The
// relay re-chunks toward a WebSocket peer and each message there must hold one whole chunk,
// so these mixes exercise the ws side's scheduler and framing, which forward.property (TCP
// only) does not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { webSocketDialer, type Endpoint, type MsrpUri } from '@msrp-ts/msrp-core';
import { exchange, mixes } from '../../msrp-core/test/helpers/message-mix.js';
import {
  outcomeMixes,
  REFUSING,
  senderOptions,
  settleMix,
} from '../../msrp-core/test/helpers/send-outcomes.js';
import { clientOf, startRelay } from './helpers.js';

/**
 * `ws`: Node's default dialer (`wsStream`: send callbacks, a paused socket); `page`: the
 * standard WebSocket API a browser has (`webSocketStream`: drain polled, messages held while
 * paused), here the `ws` package's class behind it; `hop`: TCP to a second relay, which
 * dials the first over a WebSocket (a relay as a `ws` client, its chunks masked).
 */
type Transport = 'tcp' | 'ws' | 'page' | 'hop';
/** Who is on which transport: at least one end on a WebSocket. */
const ROUTES: ReadonlyArray<readonly [Transport, Transport]> = [
  ['ws', 'tcp'],
  ['tcp', 'ws'],
  ['ws', 'ws'],
  ['page', 'tcp'],
  ['tcp', 'page'],
  ['page', 'ws'],
  ['hop', 'tcp'],
  ['ws', 'hop'],
  ['hop', 'page'],
];

/** A relay on TCP and WebSocket, alice and bob authenticated on each. */
async function setup(limits = {}) {
  const { relay, uri: tcp } = await startRelay({ limits });
  const ws: MsrpUri = await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' });
  const { uri: before } = await startRelay({ limits });
  const page = { dialers: { msrp: webSocketDialer({ WebSocket }) } };
  const users = async (name: 'alice' | 'bob'): Promise<Record<Transport, Endpoint>> => ({
    tcp: await clientOf(name, [tcp]),
    ws: await clientOf(name, [ws]),
    page: await clientOf(name, [ws], page),
    hop: await clientOf(name, [before, ws]),
  });
  const [alice, bob] = [await users('alice'), await users('bob')];
  return { relay, alice, bob };
}

/** A connected session pair from `a` to `b`, bob bound. */
async function pair(a: Endpoint, b: Endpoint, aOptions = {}, bOptions = {}) {
  const bs = b.createSession(bOptions);
  const as = a.createSession(aOptions);
  bs.accept(as.localPath);
  const bound = new Promise<void>((resolve) => bs.once('bound', () => resolve()));
  await as.connect(bs.localPath);
  await bound;
  return { as, bs };
}

const route = fc.constantFrom(...ROUTES);

describe('Forwarding properties with WebSocket endpoints (RFC 7977)', () => {
  it('forwards any mix, both ways, ws<->tcp, ws<->ws and relay<->relay over ws, under any chunk size and window, exact', async () => {
    const { relay, alice, bob } = await setup();
    await fc.assert(
      fc.asyncProperty(
        route,
        mixes(3 * 1024 * 1024, 5),
        mixes(300_000, 5),
        fc.integer({ min: 1, max: 300_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(1024, 1024 * 1024),
        async ([from, to], there, back, chunkSize, maxInFlightChunks, inMemoryThreshold) => {
          const largest = Math.max(...[...there, ...back].map((m) => m.size));
          const options = {
            chunkSize: Math.max(chunkSize, Math.ceil(largest / 2000)),
            maxInFlightChunks,
            inMemoryThreshold,
          };
          const { as, bs } = await pair(alice[from], bob[to], options, options);
          await Promise.all([exchange(as, bs, there), exchange(bs, as, back)]);
          await as.close();
          await bs.close();
        },
      ),
      { numRuns: 12, timeout: 30_000 },
    );
    expect(relay.stats.errors.size).toBe(0);
    expect(relay.queuedBytes).toBe(0);
  }, 120_000);

  it('carries every outcome of a send over ws: REPORTs, refusals and aborts', async () => {
    const { alice, bob } = await setup();
    await fc.assert(
      fc.asyncProperty(
        route,
        outcomeMixes(1024 * 1024, 6),
        fc.integer({ min: 1, max: 300_000 }),
        fc.integer({ min: 1, max: 16 }),
        fc.constantFrom(1024, 1024 * 1024),
        async ([from, to], mix, chunkSize, maxInFlightChunks, inMemoryThreshold) => {
          const { as, bs } = await pair(
            alice[from],
            bob[to],
            senderOptions(mix, chunkSize, maxInFlightChunks),
            { ...REFUSING, inMemoryThreshold },
          );
          await settleMix(as, bs, mix, inMemoryThreshold, true);
          await as.close();
          await bs.close();
        },
      ),
      { numRuns: 12, timeout: 30_000 },
    );
  }, 120_000);
});
