// The RCS chat preset: createOffer and createAnswer write exactly the RCS accept-types and
// accept-wrapped-types lines, and negotiate() hands both sides what a Chat needs.
import { describe, expect, it } from 'vitest';
import {
  createAnswer,
  createOffer,
  negotiate,
  RCS_CHAT_ACCEPT_TYPES,
  RCS_CHAT_TYPES,
  RCS_CHAT_WRAPPED_TYPES,
} from '../src/index.js';

const ALICE = 'msrp://192.0.2.1:7654/alice1;tcp';
const BOB = 'msrp://192.0.2.2:8000/bob1;tcp';

/** The accept lines of an SDP, in order. */
function acceptLines(sdp: string): string[] {
  return sdp.split('\r\n').filter((l) => l.startsWith('a=accept-'));
}

describe('RCS_CHAT_TYPES', () => {
  it('lists the RCS types', () => {
    expect(RCS_CHAT_ACCEPT_TYPES).toEqual(['message/cpim', 'application/im-iscomposing+xml']);
    expect(RCS_CHAT_WRAPPED_TYPES).toEqual(['text/plain', 'message/imdn+xml']);
    expect(RCS_CHAT_TYPES).toEqual({
      acceptTypes: RCS_CHAT_ACCEPT_TYPES,
      wrappedTypes: RCS_CHAT_WRAPPED_TYPES,
    });
    expect(Object.isFrozen(RCS_CHAT_TYPES) && Object.isFrozen(RCS_CHAT_ACCEPT_TYPES)).toBe(true);
  });

  it('makes createOffer write exactly the RCS accept lines', () => {
    const offer = createOffer({ localUri: ALICE, ...RCS_CHAT_TYPES });
    expect(acceptLines(offer)).toEqual([
      'a=accept-types:message/cpim application/im-iscomposing+xml',
      'a=accept-wrapped-types:text/plain message/imdn+xml',
    ]);
  });

  it('makes createAnswer answer an RCS offer the same way, and negotiate agree on them', () => {
    const offer = createOffer({ localUri: ALICE, ...RCS_CHAT_TYPES });
    const answer = createAnswer(offer, { localUri: BOB, ...RCS_CHAT_TYPES });
    expect(answer.accepted).toBe(true);
    expect(acceptLines(answer.sdp)).toEqual([
      'a=accept-types:message/cpim application/im-iscomposing+xml',
      'a=accept-wrapped-types:text/plain message/imdn+xml',
    ]);
    const negotiation = negotiate(offer, answer.sdp);
    if (!negotiation.accepted) throw new Error(negotiation.reason);
    expect(negotiation.acceptTypes).toEqual(RCS_CHAT_ACCEPT_TYPES);
    expect(negotiation.wrappedTypes).toEqual(RCS_CHAT_WRAPPED_TYPES);
    // What the offerer's Chat takes as peerAcceptTypes: the answerer's own declaration.
    expect(negotiation.answerer.acceptTypes).toEqual(RCS_CHAT_ACCEPT_TYPES);
  });
});
