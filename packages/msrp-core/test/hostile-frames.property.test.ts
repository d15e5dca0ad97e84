// Frames that parse but make no sense, as a property: a peer sends any mix of requests and
// responses with odd paths, Byte-Ranges, report headers, types and bodies to a session an
// endpoint accepted. The endpoint never throws (no unhandled error), answers a valid SEND
// that follows them or closes that connection, and another session on the same endpoint,
// over its own connection, goes on exchanging messages (one bad peer never hurts another).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Endpoint, formatUri, type IncomingMessage } from '../src/index.js';
import { frameText, hostileFrames } from './helpers/hostile-frames.js';
import { bodyOf } from './helpers/message-mix.js';
import { RawPeer } from './helpers/raw-peer.js';
import { cleanups } from './helpers/cleanups.js';

describe('frames that parse but make no sense', () => {
  it('never throw, and hurt no other session', async () => {
    const e = new Endpoint({ host: '127.0.0.1', session: { inMemoryThreshold: 64 } });
    cleanups.push(() => e.close());
    const port = (await e.listen({ host: '127.0.0.1', port: 0 })).port!;
    const client = new Endpoint();
    cleanups.push(() => client.close());
    // The healthy pair, over its own connection.
    const healthy = e.createSession();
    healthy.accept();
    const friend = client.createSession();
    await friend.connect([healthy.localUri]);
    const friendInbox = healthy[Symbol.asyncIterator]();
    let round = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(hostileFrames, { minLength: 1, maxLength: 8 }), async (mix) => {
        round++;
        const victim = e.createSession({ rebind: true });
        victim.accept();
        // Whatever arrives is read, streamed bodies too (a stream not read holds the queue).
        const reading = (async () => {
          for await (const message of victim) await bodyOf(message).catch(() => undefined);
        })();
        const peer = await RawPeer.connect(port, { autoRespond: true });
        try {
          // To the session, alone or with another hop on either side; from the peer, or not.
          const session = formatUri(victim.localUri);
          const other = 'msrp://127.0.0.1:9/elsewhere;tcp';
          const to = [session, session, `${session} ${other}`, `${other} ${session}`];
          const from = [formatUri(peer.uri), `${other} ${formatUri(peer.uri)}`];
          peer.write(Buffer.concat(mix.map((parts) => frameText(parts, to, from))));
          // A valid SEND after them: answered, or the connection was closed (as for a
          // request that is not allowed to go on: RFC 4975 §7.1.1, §7.3).
          const probe = `probe${round}`;
          const answered = peer
            .transact({ transactionId: probe, toPath: [victim.localUri], body: 'still there?' })
            .then(
              (r) => r.head.kind === 'response' && r.head.statusCode,
              () => 'closed',
            );
          expect([200, 'closed']).toContain(await answered);
          // The other session on this endpoint, both ways.
          await friend.send(`round ${round}`);
          const got: IncomingMessage = (await friendInbox.next()).value as IncomingMessage;
          expect(Buffer.from(await bodyOf(got)).toString()).toBe(`round ${round}`);
        } finally {
          peer.destroy();
          await victim.close();
          await reading;
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
