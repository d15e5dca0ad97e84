// Runnable: pnpm exec tsx --conditions=source examples/chat.ts (the README shows this file).
// Two endpoints chat the RCS way: CPIM messages, ✓ delivered and ✓✓ read, and typing.
import {
  Chat,
  cpimWrappedTypeCheck,
  Endpoint,
  newSessionId,
  nextEvent,
  type Session,
} from '@msrp-ts/msrp-core';
import { createAnswer, createOffer, negotiate, RCS_CHAT_TYPES } from '@msrp-ts/sdp-msrp';
import type { NegotiatedSide } from '@msrp-ts/sdp-msrp';

// Alice offers an RCS chat, Bob answers it; both take their view of the negotiation.
const alice = new Endpoint();
const bob = new Endpoint();
const aliceUri = {
  ...(await alice.listen({ host: '127.0.0.1', port: 0 })),
  sessionId: newSessionId(),
};
const bobUri = { ...(await bob.listen({ host: '127.0.0.1', port: 0 })), sessionId: newSessionId() };
const offer = createOffer({ localUri: aliceUri, ...RCS_CHAT_TYPES });
const answer = createAnswer(offer, { localUri: bobUri, ...RCS_CHAT_TYPES });
const negotiation = negotiate(offer, answer.sdp);
if (!negotiation.accepted) throw new Error(`rejected: ${negotiation.reason}`);

async function open(endpoint: Endpoint, side: NegotiatedSide): Promise<Session> {
  const session = endpoint.createSession({
    localUri: side.localUri,
    acceptTypes: side.acceptTypes,
    // RFC 4975 §8.6: 415 for what the peer wraps in CPIM outside our accept-wrapped-types.
    checkMessage: cpimWrappedTypeCheck(side.wrappedTypes),
  });
  if (side.connects) await session.connect(side.remotePath);
  else session.accept(side.remotePath);
  return session;
}
const [bobSession, aliceSession] = await Promise.all([
  open(bob, negotiation.answerer),
  open(alice, negotiation.offerer),
]);

// Each Chat learns from the peer's accept-types that it takes message/cpim.
const aliceChat = new Chat(aliceSession, { peerAcceptTypes: negotiation.answerer.acceptTypes });
const bobChat = new Chat(bobSession, { peerAcceptTypes: negotiation.offerer.acceptTypes });

bobChat.on('composing', () => console.log('bob sees: alice is typing…'));
bobChat.on('message', (m) => {
  console.log(`bob got: ${m.text}`);
  void bobChat.markDisplayed(m); // Bob read it: Alice gets ✓✓
});
aliceChat.on('delivered', (n) => console.log(`alice sees: ${n.messageId.slice(0, 8)} ✓`));
aliceChat.on('displayed', (n) => console.log(`alice sees: ${n.messageId.slice(0, 8)} ✓✓`));

const typing = nextEvent(bobChat, 'composing');
aliceChat.typing();
await typing;
const read = nextEvent(aliceChat, 'displayed');
const { messageId } = aliceChat.send('Hello Bob!');
console.log(`alice sent: ${messageId.slice(0, 8)}`);
await read;

aliceChat.close();
bobChat.close();
await alice.close();
await bob.close();
