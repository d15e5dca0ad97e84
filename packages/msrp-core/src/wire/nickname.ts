import { MsrpError } from '../errors.js';

// RFC 4975 §9 quoted-string, which RFC 7701 §7.1 takes for the nickname:
//   quoted-string = DQUOTE *(qdtext / qd-esc) DQUOTE
//   qdtext = SP / HTAB / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
//   qd-esc = (BACKSLASH BACKSLASH) / (BACKSLASH DQUOTE)
const QUOTED_STRING = /^"((?:[\t\x20\x21\x23-\x5b\x5d-\x7e\u0080-\uffff]|\\[\\"])*)"$/;
const QDTEXT_OR_ESCAPABLE = /^[\t\x20-\x7e\u0080-\uffff]*$/;

/**
 * Parses a Use-Nickname value (RFC 7701 §7.1: `Use-Nickname: SP nickname`, `nickname =
 * quoted-string`): the nickname, unescaped. Returns undefined when the value is not exactly
 * one quoted-string.
 */
export function parseUseNickname(value: string): string | undefined {
  const m = QUOTED_STRING.exec(value);
  return m ? m[1]!.replace(/\\([\\"])/g, '$1') : undefined;
}

/**
 * Formats a nickname as a Use-Nickname value: a quoted-string, `\` and `"` escaped.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when the nickname holds a control
 * character other than HTAB (a quoted-string cannot carry it).
 */
export function formatUseNickname(nickname: string): string {
  if (!QDTEXT_OR_ESCAPABLE.test(nickname)) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Nickname holds a control character: ${JSON.stringify(nickname.slice(0, 64))}`,
    );
  }
  return `"${nickname.replace(/[\\"]/g, '\\$&')}"`;
}
