// Runnable: pnpm exec tsx --conditions=source examples/sdp.ts (the README shows this file).
import { Endpoint, newSessionId, type Session } from '@msrp-ts/msrp-core';
import {
  createAnswer,
  createOffer,
  extractSdp,
  negotiate,
  type NegotiatedSide,
} from '@msrp-ts/sdp-msrp';

// Alice listens and offers a chat; a=setup:actpass (the default) lets Bob choose who connects.
const alice = new Endpoint();
const aliceUri = { ...(await alice.listen()), sessionId: newSessionId() };
const offer = createOffer({ localUri: aliceUri, acceptTypes: ['text/plain', 'message/cpim'] });
const invite = `INVITE sip:bob@example.com SIP/2.0\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(offer)}\r\n\r\n${offer}`;

// Bob's SIP stack hands him the INVITE; he answers, and would rather connect himself.
const bob = new Endpoint();
const bobUri = { ...(await bob.listen()), sessionId: newSessionId() };
const offered = extractSdp(invite);
const answer = createAnswer(offered, {
  localUri: bobUri,
  acceptTypes: ['text/*'],
  setup: 'active',
});

// Both sides compute the same result from the offer and the answer, and take their own view.
const negotiation = negotiate(offered, answer.sdp);
if (!negotiation.accepted) throw new Error(`rejected: ${negotiation.reason}`);
console.log(`agreed: ${negotiation.acceptTypes.join(' ')}; connects: ${negotiation.active}`);

async function open(endpoint: Endpoint, side: NegotiatedSide): Promise<Session> {
  const session = endpoint.createSession({
    localUri: side.localUri,
    acceptTypes: side.acceptTypes,
  });
  if (side.connects) await session.connect(side.remotePath);
  else session.accept(side.remotePath);
  return session;
}
const aliceSession = await open(alice, negotiation.offerer);
const bobSession = await open(bob, negotiation.answerer);

await bobSession.send('Hello Alice, as negotiated!');
const { value: message } = await aliceSession[Symbol.asyncIterator]().next();
console.log('alice got:', message?.text());

await alice.close();
await bob.close();
