// Frames that parse but make no sense, sent to a relay, as a property: a peer, authenticated
// or not, sends any mix of requests and responses (odd paths, Byte-Ranges, report headers,
// types, bodies), addressed to the relay, through it to a session pair's endpoints, or
// elsewhere. The relay never throws, answers an AUTH that follows them or closes that
// connection, and the pair whose path it crossed goes on talking both ways (RFC 4976 §6: a
// relay answers what it cannot forward; one bad peer never hurts another session).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from '@msrp-ts/msrp-core';
import { frameText, hostileFrames } from '../../msrp-core/test/helpers/hostile-frames.js';
import { hostilePaths } from './attack-helpers.js';
import {
  authRequest,
  clientOf,
  next,
  rawAuth,
  rawClient,
  sessionPair,
  startRelay,
  transact,
} from './helpers.js';

/**
 * The next message of `inbox` with this text. The attack's frames may have got there first:
 * whoever knows a session's path may send to it (RFC 4975 §14.1: its session-id is the
 * secret). Such a message may have failed (a body longer than its Byte-Range), or stream
 * with its rest never coming (until incompleteMessageTimeout): it is let go unread.
 */
async function nextWith(inbox: AsyncIterator<IncomingMessage>, text: string): Promise<void> {
  for (;;) {
    const message = await next(inbox);
    if (message.stream) message.discard();
    else if ((await message.completed.then(() => message.text()).catch(() => '')) === text) return;
  }
}

describe('frames that parse but make no sense, sent to a relay', () => {
  it('never throw, and hurt no session pair', async () => {
    const { uri } = await startRelay();
    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);
    const { a, b } = await sessionPair(alice, bob);
    const inboxA = a[Symbol.asyncIterator]();
    const inboxB = b[Symbol.asyncIterator]();
    const port = uri.port!;
    let round = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileFrames, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (mix, authenticated) => {
          round++;
          const peer = await rawClient(port);
          try {
            const ok = authenticated ? await rawAuth(peer, uri, 'bob') : undefined;
            const { to, from } = hostilePaths(uri, peer.uri, a.localPath, b.localPath, ok?.usePath);
            peer.write(Buffer.concat(mix.map((parts) => frameText(parts, to, from))));
            // An AUTH after them: answered, or the connection was closed.
            const answered = await transact(peer, authRequest(peer, uri)).then(
              (r) => r.statusCode,
              () => 'closed',
            );
            expect([401, 'closed']).toContain(answered);
            await a.send(`there ${round}`);
            await nextWith(inboxB, `there ${round}`);
            await b.send(`back ${round}`);
            await nextWith(inboxA, `back ${round}`);
          } finally {
            peer.destroy();
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
