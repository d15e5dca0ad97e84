// Frames that parse but make no sense, sent to a relay over a WebSocket, as a property: a
// peer, authenticated or not, sends any mix of requests and responses (hostile-frames.ts),
// each frame in one message, text or binary (RFC 7977 §4.2), or cut across several (which
// we accept), or now and then two in one (which §5.1 forbids: closed with 1002). The relay
// never throws, answers an AUTH that follows them or closes that connection (with 1002 after
// two frames in a message), and a session pair across its two transports (alice on a
// WebSocket, bob on TCP) goes on talking both ways.
import { once } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, MsrpUri } from '@msrp-ts/msrp-core';
import { frameText, hostileFrames } from '../../msrp-core/test/helpers/hostile-frames.js';
import { hostilePaths } from './attack-helpers.js';
import { clientOf, next, sessionPair, startRelay } from './helpers.js';
import { WsPeer } from './ws-peer.js';

/** The next message of `inbox` with this text (see hostile-frames.property.test.ts). */
async function nextWith(inbox: AsyncIterator<IncomingMessage>, text: string): Promise<void> {
  for (;;) {
    const message = await next(inbox);
    if (message.stream) message.discard();
    else if ((await message.completed.then(() => message.text()).catch(() => '')) === text) return;
  }
}

/** How a frame goes out: in a message of its own, text or binary, or cut in two; or joined with the next. */
const sending = fc.record({
  text: fc.boolean(),
  cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined, freq: 4 }),
  joined: fc.constantFrom(false, false, false, false, true),
});

describe('frames that parse but make no sense, sent to a relay over a WebSocket', () => {
  it('never throw, answer or close with 1002, and hurt no session pair', async () => {
    const { relay, uri: tcp } = await startRelay();
    const ws: MsrpUri = await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' });
    const alice = await clientOf('alice', [ws]);
    const bob = await clientOf('bob', [tcp]);
    const { a, b } = await sessionPair(alice, bob);
    const inboxA = a[Symbol.asyncIterator]();
    const inboxB = b[Symbol.asyncIterator]();
    let round = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(hostileFrames, sending), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (mix, authenticated) => {
          round++;
          const peer = await WsPeer.connect(ws);
          try {
            const ok = authenticated ? await peer.auth(ws, 'bob') : undefined;
            const { to, from } = hostilePaths(ws, peer.uri, a.localPath, b.localPath, ok?.usePath);
            // Messages as sent: a joined frame shares the next one's message.
            let pending: Buffer | undefined;
            let twoInOne = false;
            for (const [i, [parts, how]] of mix.entries()) {
              let bytes = frameText(parts, to, from);
              if (pending)
                [bytes, pending, twoInOne] = [Buffer.concat([pending, bytes]), undefined, true];
              if (how.joined && i < mix.length - 1) {
                pending = bytes;
                continue;
              }
              const at = how.cut === undefined ? bytes.length : Math.floor(how.cut * bytes.length);
              for (const piece of [bytes.subarray(0, at), bytes.subarray(at)])
                if (piece.length > 0 || how.cut === undefined)
                  peer.socket.send(piece, { binary: !how.text });
            }
            // An AUTH after them: answered, or the connection was closed.
            const auth = peer.request('AUTH', [ws]);
            if (peer.closeCode === undefined) peer.send(auth);
            const closed = once(peer.socket, 'close').then(() => 'closed');
            const answered = await Promise.race([
              peer.response(auth.transactionId, 10_000).then((r) => r.statusCode),
              closed,
            ]);
            expect([401, 'closed']).toContain(answered);
            if (answered === 'closed') {
              // Closed for two frames in a message, or for a frame it could not parse.
              expect([1002, 1000, 1006]).toContain(peer.closeCode);
            } else expect(twoInOne && answered === 401).toBe(false);
            await a.send(`there ${round}`);
            await nextWith(inboxB, `there ${round}`);
            await b.send(`back ${round}`);
            await nextWith(inboxA, `back ${round}`);
          } finally {
            peer.socket.terminate();
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(relay.connectionCount).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
