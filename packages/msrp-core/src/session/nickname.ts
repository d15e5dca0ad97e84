import { MsrpError } from '../errors.js';
import type { RequestHead } from '../wire/head.js';
import { newTransactionId } from '../wire/ids.js';
import { formatUseNickname } from '../wire/nickname.js';
import type { MsrpUri } from '../wire/uri.js';
import { NicknameError } from './nickname-error.js';
import type { SessionPort } from './session-link.js';

/** A peer's NICKNAME request (RFC 7701 §7.1), as a {@link NicknameHandler} sees it. */
export interface NicknameRequest {
  /** The nickname asked for: the Use-Nickname value, unquoted and unescaped. */
  readonly nickname: string;
  /** The whole request head: its From-Path says who asks, through which relays. */
  readonly head: RequestHead;
}

/**
 * What a {@link NicknameHandler} answers: a status code, or one with the comment for the
 * status line. 200 grants the nickname; RFC 7701 §7.1 has 424 for a malformed nickname and
 * 425 for one reserved or already in use; 403 refuses by policy.
 */
export type NicknameAnswer = number | { readonly status: number; readonly comment?: string };

/**
 * Decides on the peer's NICKNAME requests: what a conference focus (an MSRP switch) sets.
 * Its answer, or what its promise resolves to, is sent back; a handler that throws or
 * rejects answers 403. A malformed nickname (no quoted-string, or empty) is answered 424
 * before it. RFC 7701 §7.1 asks the focus to compare nicknames as RFC 8266 (PRECIS) prepares
 * them; that, and keeping them unique per room, is the handler's.
 */
export type NicknameHandler = (
  request: NicknameRequest,
) => NicknameAnswer | Promise<NicknameAnswer>;

/** The status and comment that answer a NICKNAME request. */
export interface NicknameResponse {
  readonly status: number;
  readonly comment?: string;
}

/**
 * Sends NICKNAME with `nickname` as Use-Nickname (RFC 7701 §7.1) on a bound session;
 * resolves when the peer answers 200.
 * @throws {NicknameError} for any other answer; {@link MsrpError} `MSRP_ERR_SESSION` when
 * not bound, `MSRP_ERR_INVALID_ARGUMENT` when a quoted-string cannot carry the nickname,
 * `MSRP_ERR_TIMEOUT` (408) or `MSRP_ERR_CONNECTION` when no answer comes.
 */
export async function requestNickname(
  port: SessionPort | undefined,
  toPath: readonly MsrpUri[] | undefined,
  fromPath: readonly MsrpUri[],
  nickname: string,
): Promise<void> {
  formatUseNickname(nickname); // throws before anything is sent
  if (port === undefined || toPath === undefined)
    throw new MsrpError('MSRP_ERR_SESSION', 'Cannot set a nickname: session is not bound');
  // RFC 7701 §7.1: NICKNAME carries the nickname in Use-Nickname, no Message-ID, no body.
  const response = await port.request({
    kind: 'request',
    method: 'NICKNAME',
    transactionId: newTransactionId(),
    toPath,
    fromPath,
    useNickname: nickname,
  });
  if (response.statusCode !== 200)
    throw new NicknameError(nickname, response.statusCode, response.comment);
}

const MALFORMED: NicknameResponse = { status: 424, comment: 'Malformed nickname' };

/** The answer to a peer's NICKNAME request: `handler`'s, or 501 without one. */
export async function answerNickname(
  handler: NicknameHandler | undefined,
  head: RequestHead,
): Promise<NicknameResponse> {
  // RFC 4975 §12: 501 for a method the endpoint does not serve; only a focus does this one.
  if (!handler) return { status: 501, comment: 'Nicknames not supported' };
  // RFC 7701 §7.1: the nickname is the Use-Nickname value; without one there is none to grant.
  // One that is no quoted-string (kept as an extension by the parser) or is empty, which
  // the PRECIS Nickname profile (RFC 8266 §2) never yields, is malformed: 424.
  const nickname = head.useNickname;
  if (nickname === undefined) {
    const kept = head.extensions?.some((h) => h.name.toLowerCase() === 'use-nickname');
    return kept ? MALFORMED : { status: 400, comment: 'Missing Use-Nickname' };
  }
  if (nickname.trim() === '') return MALFORMED;
  let answer: NicknameAnswer;
  try {
    answer = await handler({ nickname, head });
  } catch {
    return { status: 403 };
  }
  const response = typeof answer === 'number' ? { status: answer } : answer;
  // A status the wire cannot carry is the handler's bug; the peer still gets an answer.
  if (!Number.isInteger(response.status) || response.status < 200 || response.status > 999)
    return { status: 403 };
  return response;
}
