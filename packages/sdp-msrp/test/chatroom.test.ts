// a=chatroom (RFC 7701 §8): read into MsrpMedia, written by createOffer/createAnswer when
// asked, and handed to each side by negotiate().
import { describe, expect, it } from 'vitest';
import {
  SdpError,
  createAnswer,
  createOffer,
  findMsrpMedia,
  formatChatroom,
  formatMsrpMedia,
  negotiate,
  parseChatroom,
  parseSdp,
  type Negotiation,
  type Rejection,
} from '../src/index.js';
import { crlf } from './fixtures.js';

const ALICE = 'msrp://192.0.2.1:7654/alice1;tcp';
const FOCUS = 'msrp://198.51.100.7:2855/room42;tcp';

/** A participant's offer to join a chat room, sent to its focus. */
const JOIN_OFFER = crlf([
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=message 7654 TCP/MSRP *',
  'a=accept-types:message/cpim text/plain',
  'a=accept-wrapped-types:*',
  `a=path:${ALICE}`,
]);

/** The focus's answer, with a=chatroom. */
function focusAnswer(chatroomLine: string): string {
  return crlf([
    'v=0',
    'o=focus 2890844730 2890844730 IN IP4 198.51.100.7',
    's=-',
    'c=IN IP4 198.51.100.7',
    't=0 0',
    'm=message 2855 TCP/MSRP *',
    'a=accept-types:message/cpim text/plain',
    'a=accept-wrapped-types:*',
    `a=path:${FOCUS}`,
    chatroomLine,
  ]);
}

function accepted(result: Negotiation | Rejection): Negotiation {
  if (!result.accepted) throw new Error(`rejected: ${result.reason}`);
  return result;
}

describe('parseChatroom / formatChatroom', () => {
  it.each([
    ['nickname private-messages', { nickname: true, privateMessages: true, other: [] }],
    ['nickname', { nickname: true, privateMessages: false, other: [] }],
    ['private-messages', { nickname: false, privateMessages: true, other: [] }],
    [
      'Nickname  com.example.poll',
      { nickname: true, privateMessages: false, other: ['com.example.poll'] },
    ],
    ['', { nickname: false, privateMessages: false, other: [] }],
  ])('parses %j', (value, chatroom) => {
    expect(parseChatroom(value)).toStrictEqual(chatroom);
  });

  it('reads a bare a=chatroom as a room with no features', () => {
    expect(parseChatroom(undefined)).toStrictEqual({
      nickname: false,
      privateMessages: false,
      other: [],
    });
  });

  it('writes the RFC tokens first, then extensions; a bare attribute without any', () => {
    expect(formatChatroom({ nickname: true, privateMessages: true })).toBe(
      'chatroom:nickname private-messages',
    );
    expect(formatChatroom({ privateMessages: true, other: ['x-ext'] })).toBe(
      'chatroom:private-messages x-ext',
    );
    expect(formatChatroom({})).toBe('chatroom');
  });

  it('refuses tokens with characters SDP tokens cannot hold', () => {
    expect(() => parseChatroom('nickname bad"token')).toThrow(SdpError);
    expect(() => formatChatroom({ other: ['two words'] })).toThrow(
      expect.objectContaining({ code: 'SDP_ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('a=chatroom in MSRP media', () => {
  it('is read into MsrpMedia.chatroom, and absent without the attribute', () => {
    const media = findMsrpMedia(parseSdp(focusAnswer('a=chatroom:nickname private-messages')));
    expect(media.chatroom).toStrictEqual({ nickname: true, privateMessages: true, other: [] });
    expect(findMsrpMedia(parseSdp(JOIN_OFFER)).chatroom).toBeUndefined();
    expect(findMsrpMedia(parseSdp(focusAnswer('a=chatroom'))).chatroom).toStrictEqual({
      nickname: false,
      privateMessages: false,
      other: [],
    });
  });

  it('names the line of a bad or repeated a=chatroom', () => {
    for (const bad of ['a=chatroom:nick"name', 'a=chatroom:nickname\r\na=chatroom:nickname']) {
      let error: unknown;
      try {
        findMsrpMedia(parseSdp(focusAnswer(bad)));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SdpError);
      expect((error as SdpError).code).toBe('SDP_ERR_BAD_ATTRIBUTE');
      expect((error as SdpError).message).toContain('a=chatroom');
    }
  });

  it('round-trips through formatMsrpMedia', () => {
    const media = findMsrpMedia(parseSdp(focusAnswer('a=chatroom:private-messages x-poll')));
    const lines = formatMsrpMedia(media);
    expect(lines).toContainEqual({ type: 'a', value: 'chatroom:private-messages x-poll' });
  });
});

describe('createOffer, createAnswer and negotiate with a chat room', () => {
  it('writes a=chatroom in an answer only when asked; negotiate gives it to the participant', () => {
    const plain = createAnswer(JOIN_OFFER, { localUri: FOCUS, acceptTypes: ['*'] });
    expect(plain.sdp).not.toContain('a=chatroom');
    expect(accepted(negotiate(JOIN_OFFER, plain.sdp)).offerer.remoteChatroom).toBeUndefined();

    const answer = createAnswer(JOIN_OFFER, {
      localUri: FOCUS,
      acceptTypes: ['*'],
      chatroom: { nickname: true, privateMessages: true },
    });
    expect(answer.sdp.split('\r\n')).toContain('a=chatroom:nickname private-messages');
    const negotiation = accepted(negotiate(JOIN_OFFER, answer.sdp));
    expect(negotiation.offerer.remoteChatroom).toStrictEqual({
      nickname: true,
      privateMessages: true,
      other: [],
    });
    expect(negotiation.answerer.remoteChatroom).toBeUndefined();
  });

  it('writes a=chatroom in an offer from a focus (it invites a participant)', () => {
    const offer = createOffer({
      localUri: FOCUS,
      acceptTypes: ['message/cpim'],
      chatroom: { nickname: true },
      sessionId: '1',
    });
    expect(offer.split('\r\n')).toContain('a=chatroom:nickname');
    const answer = createAnswer(offer, { localUri: ALICE, acceptTypes: ['message/cpim'] });
    const negotiation = accepted(negotiate(offer, answer.sdp));
    expect(negotiation.answerer.remoteChatroom?.nickname).toBe(true);
    expect(negotiation.answerer.remoteChatroom?.privateMessages).toBe(false);
  });
});
