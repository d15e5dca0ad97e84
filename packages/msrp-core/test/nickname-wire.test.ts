// RFC 7701 on the wire: the NICKNAME method, its Use-Nickname header (a quoted-string) and
// the 424/425/428 status codes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MsrpError,
  encodeFrame,
  formatUseNickname,
  parseUri,
  parseUseNickname,
  type RequestHead,
} from '../src/index.js';
import {
  REASON_PHRASES,
  formatHead,
  parseHeaderLine,
  parseStartLine,
  responseFrame,
} from '../src/internal.js';
import { byteByByte, parseAll, toBytes } from './helpers/collect.js';

const TID = 'd93kswow';
const TO = 'msrp://chat.example.com:12763/kjfjan;tcp';
const FROM = 'msrp://alicepc.example.com:7777/iau39soe2843z;tcp';

/** RFC 7701 §9.2's NICKNAME, with our paths. */
const NICKNAME_WIRE =
  `MSRP ${TID} NICKNAME\r\n` +
  `To-Path: ${TO}\r\n` +
  `From-Path: ${FROM}\r\n` +
  `Use-Nickname: "Alice the great"\r\n` +
  `-------${TID}$\r\n`;

function nicknameRequest(nickname: string): RequestHead {
  return {
    kind: 'request',
    transactionId: TID,
    method: 'NICKNAME',
    toPath: [parseUri(TO)],
    fromPath: [parseUri(FROM)],
    useNickname: nickname,
  };
}

function headerError(line: string): MsrpError {
  const head = parseStartLine(`MSRP ${TID} NICKNAME`);
  try {
    parseHeaderLine(head, line);
  } catch (e) {
    if (e instanceof MsrpError) return e;
    throw e;
  }
  throw new Error(`no error for ${line}`);
}

describe('Use-Nickname (RFC 7701 §7.1)', () => {
  it.each([
    ['"Alice the great"', 'Alice the great'],
    ['""', ''],
    ['"Zoë ☺ 桜"', 'Zoë ☺ 桜'],
    ['"say \\"hi\\" \\\\ ok"', 'say "hi" \\ ok'],
    ['"tab\there"', 'tab\there'],
  ])('parses %s into the nickname, unescaped', (value, nickname) => {
    const head = parseStartLine(`MSRP ${TID} NICKNAME`);
    parseHeaderLine(head, `Use-Nickname: ${value}`);
    expect(head.useNickname).toBe(nickname);
    expect(head.extensions).toBeUndefined();
  });

  it('reads the header name case-insensitively', () => {
    const head = parseStartLine(`MSRP ${TID} NICKNAME`);
    parseHeaderLine(head, 'use-nickname: "bob"');
    expect(head.useNickname).toBe('bob');
  });

  it.each([
    ['a token, not a quoted-string', 'Use-Nickname: Alice'],
    ['an unterminated quote', 'Use-Nickname: "Alice'],
    ['a quote inside, unescaped', 'Use-Nickname: "Al"ice"'],
    ['text after the closing quote', 'Use-Nickname: "Alice" x'],
    ['two quoted-strings', 'Use-Nickname: "a" "b"'],
    ['an escape of another character (qd-esc is \\\\ and \\")', 'Use-Nickname: "a\\nb"'],
    ['an empty value', 'Use-Nickname: '],
  ])('keeps %s as an extension header, for the focus to answer 424', (_, line) => {
    // RFC 7701 §7.1: a malformed nickname is answered 424 by the focus, not a broken frame.
    const head = parseStartLine(`MSRP ${TID} NICKNAME`);
    parseHeaderLine(head, line);
    expect(head.useNickname).toBeUndefined();
    expect(head.extensions).toEqual([{ name: 'Use-Nickname', value: line.slice(14) }]);
  });

  it('refuses a control character with 400, as in any header', () => {
    const error = headerError('Use-Nickname: "a\x01b"');
    expect([error.code, error.status, error.transactionId]).toEqual([
      'MSRP_ERR_BAD_HEADER',
      400,
      TID,
    ]);
  });

  it('refuses a second Use-Nickname with 400', () => {
    const head = parseStartLine(`MSRP ${TID} NICKNAME`);
    parseHeaderLine(head, 'Use-Nickname: "a"');
    expect(() => parseHeaderLine(head, 'Use-Nickname: "b"')).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_DUPLICATE_HEADER', status: 400 }),
    );
  });
});

describe('Use-Nickname properties', () => {
  it('round-trips every nickname a quoted-string can carry', () => {
    const unit = fc.oneof(
      fc.constantFrom('"', '\\', '\t', ' ', 'é', '☺', '桜'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    );
    const nickname = fc
      .string({ unit, maxLength: 40 })
      .filter((s) => [...s].every((c) => c === '\t' || (c >= ' ' && c !== '\x7f')));
    fc.assert(fc.property(nickname, (name) => parseUseNickname(formatUseNickname(name)) === name));
  });

  it('never throws on arbitrary text: a nickname or undefined', () => {
    const text = fc.string({
      unit: fc.constantFrom('"', '\\', 'a', ' ', '\t', '\r', 'é'),
      maxLength: 12,
    });
    fc.assert(
      fc.property(text, (value) => {
        const parsed = parseUseNickname(value);
        return parsed === undefined || typeof parsed === 'string';
      }),
    );
  });
});

describe('NICKNAME frames', () => {
  const expected = [
    { type: 'head', head: nicknameRequest('Alice the great') },
    { type: 'end', flag: '$' },
  ];

  it('parses the request fed whole, byte by byte and split at every offset', () => {
    const bytes = toBytes(NICKNAME_WIRE);
    expect(parseAll(bytes)).toStrictEqual(expected);
    expect(parseAll(...byteByByte(bytes))).toStrictEqual(expected);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parseAll(bytes.subarray(0, cut), bytes.subarray(cut))).toStrictEqual(expected);
    }
  });

  it('writes exactly the RFC layout, and parses back what it writes', () => {
    expect(formatHead(nicknameRequest('Alice the great')) + `-------${TID}$\r\n`).toBe(
      NICKNAME_WIRE,
    );
    for (const nickname of ['', 'say "hi" \\ ok', 'Zoë ☺', 'tab\there']) {
      const head = nicknameRequest(nickname);
      expect(parseAll(...encodeFrame(head))).toStrictEqual([
        { type: 'head', head },
        { type: 'end', flag: '$' },
      ]);
    }
  });

  it('refuses to write a nickname a quoted-string cannot carry', () => {
    for (const nickname of ['a\r\nX-Forged: 1', 'a\nb', 'nul\0', 'del\x7f']) {
      expect(() => formatHead(nicknameRequest(nickname))).toThrow(
        expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
      );
    }
  });

  it('reads a frame with a malformed Use-Nickname whole, the value kept as an extension', () => {
    const wire = NICKNAME_WIRE.replace('"Alice the great"', 'Alice');
    const [event] = parseAll(wire);
    expect(event).toMatchObject({
      type: 'head',
      head: { method: 'NICKNAME', extensions: [{ name: 'Use-Nickname', value: 'Alice' }] },
    });
    expect((event as { head: RequestHead }).head.useNickname).toBeUndefined();
  });
});

describe('RFC 7701 status codes (§10.3)', () => {
  it.each([
    [424, 'Malformed nickname'],
    [425, 'Nickname reserved or already in use'],
    [428, 'Private messages not supported'],
    [404, "Failure to resolve recipient's URI"],
  ])('answers %i with its reason phrase', (status, phrase) => {
    expect(REASON_PHRASES[status]).toBe(phrase);
    const frame = responseFrame(nicknameRequest('Alice'), status)!;
    const text = Buffer.concat(frame).toString('utf8');
    expect(text.split('\r\n')[0]).toBe(`MSRP ${TID} ${status} ${phrase}`);
  });
});
