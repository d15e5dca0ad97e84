// TransactionIds.occursIn (issue 12): the search for an id's end-line in a body, made with a
// needle of the ids' shared prefix, answers exactly as containsEndLine does.
import { describe, expect, it } from 'vitest';
import { containsEndLine } from '../src/internal.js';
import { IdSequence, TransactionIds } from '../src/wire/ids.js';

const latin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

describe('TransactionIds.occursIn', () => {
  const ids = new TransactionIds();
  const id = ids.next();
  const prefix = id.slice(0, 16);
  const sibling = ids.next();
  const cases: [string, string, boolean][] = [
    ['an empty body', '', false],
    ['a body that starts with the end-line', `-------${id}$`, true],
    ['the end-line after CRLF inside', `abc\r\n-------${id}+ more`, true],
    ['the end-line after CRLF at the end', `abc\r\n-------${id}`, true],
    ['the end-line without CRLF', `abc-------${id}$`, false],
    ['the end-line of another id of the same sender', `a\r\n-------${sibling}$`, false],
    ['the prefix alone', `a\r\n-------${prefix}`, false],
    ['the prefix, then this id', `a\r\n-------${prefix}zz\r\n-------${id}$`, true],
    ['the dashes with another prefix, then this id', `\r\n-------0${id}\r\n-------${id}`, true],
    ['the id cut short at the end', `a\r\n-------${id.slice(0, -1)}`, false],
  ];
  for (const [name, text, expected] of cases) {
    it(`is ${expected} for ${name}, as containsEndLine is`, () => {
      const body = latin1(text);
      expect(containsEndLine(body, id)).toBe(expected);
      expect(ids.occursIn(body, id)).toBe(expected);
    });
  }

  it('finds the end-line of an id it did not give (no shared prefix) as containsEndLine does', () => {
    // The prefixed needle must not apply to this id: with it, this end-line would be missed.
    const other = 'a786hjs2';
    const body = latin1(`x\r\n-------${other}$`);
    expect(ids.occursIn(body, other)).toBe(true);
    expect(ids.occursIn(latin1(`x\r\n-------${other}`), 'a786hjs3')).toBe(false);
  });

  it('answers as containsEndLine over random bodies holding end-lines of its ids', () => {
    for (let i = 0; i < 500; i++) {
      const pick = ids.next();
      const parts: string[] = [];
      for (let k = 0; k < 4; k++) {
        const r = Math.random();
        parts.push(
          r < 0.25
            ? `\r\n-------${pick}`
            : r < 0.5
              ? `\r\n-------${prefix}`
              : r < 0.75
                ? `-------${pick.slice(0, 1 + Math.floor(Math.random() * pick.length))}`
                : String.fromCharCode(...Array.from({ length: 5 }, () => Math.random() * 256)),
        );
      }
      const body = latin1(parts.join(''));
      expect(ids.occursIn(body, pick)).toBe(containsEndLine(body, pick));
    }
  });
});

describe('IdSequence.next', () => {
  it('gives the prefix and the counter in base 36, across the digits it carries', () => {
    const ids = new IdSequence('P');
    // 36 and 1296 carry a digit; 46,656 a second time.
    for (let n = 0; n < 47_000; n++) expect(ids.next()).toBe(`P${n.toString(36)}`);
  });
});
