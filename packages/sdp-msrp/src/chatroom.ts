import { SdpError } from './errors.js';
import { isToken } from './file-description.js';

/**
 * The `a=chatroom` attribute of an MSRP media section (RFC 7701 §8): the side that wrote it
 * is a multi-party chat room (its conference focus), with these features.
 */
export interface Chatroom {
  /** `nickname`: participants may take nicknames with NICKNAME (RFC 7701 §7). */
  readonly nickname: boolean;
  /** `private-messages`: the room carries private messages to one participant (§6.2). */
  readonly privateMessages: boolean;
  /** Other tokens (extensions, RFC 7701 §8 `ext-token`), as written. */
  readonly other: readonly string[];
}

/** What a chat room offers, for `createOffer` and `createAnswer`; absent features are off. */
export type ChatroomInit = Partial<Chatroom>;

const NICKNAME = 'nickname';
const PRIVATE_MESSAGES = 'private-messages';

/**
 * Parses the value of `a=chatroom` (RFC 7701 §8: `chatroom[:chat-token *(SP chat-token)]`);
 * `value` is undefined or empty for a bare `a=chatroom`. The two RFC tokens match in any case.
 * @throws {SdpError} `SDP_ERR_BAD_ATTRIBUTE` for a value that is not SP-separated tokens.
 */
export function parseChatroom(value: string | undefined): Chatroom {
  const tokens = value === undefined || value.trim() === '' ? [] : value.trim().split(/\s+/);
  const bad = tokens.find((t) => !isToken(t));
  if (bad !== undefined) {
    throw new SdpError('SDP_ERR_BAD_ATTRIBUTE', `a=chatroom: "${bad}" is not a token`);
  }
  const lower = tokens.map((t) => t.toLowerCase());
  return {
    nickname: lower.includes(NICKNAME),
    privateMessages: lower.includes(PRIVATE_MESSAGES),
    other: tokens.filter((_, i) => lower[i] !== NICKNAME && lower[i] !== PRIVATE_MESSAGES),
  };
}

/**
 * The `a=` value of a {@link Chatroom}: `chatroom`, or `chatroom:` and its tokens,
 * `nickname` and `private-messages` first.
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` for an extension that is not a token.
 */
export function formatChatroom(chatroom: ChatroomInit): string {
  const other = chatroom.other ?? [];
  const bad = other.find((t) => !isToken(t));
  if (bad !== undefined) {
    throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `Invalid chatroom token "${bad}"`);
  }
  const tokens = [
    ...(chatroom.nickname ? [NICKNAME] : []),
    ...(chatroom.privateMessages ? [PRIVATE_MESSAGES] : []),
    ...other,
  ];
  return tokens.length === 0 ? 'chatroom' : `chatroom:${tokens.join(' ')}`;
}

/** A {@link ChatroomInit} with every field set. */
export function chatroomOf(init: ChatroomInit): Chatroom {
  return {
    nickname: init.nickname ?? false,
    privateMessages: init.privateMessages ?? false,
    other: [...(init.other ?? [])],
  };
}
