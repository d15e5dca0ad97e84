// Property tests: any SDP text that uses one kind of line ending survives parse + serialize
// unchanged, and arbitrary text either parses or fails with an SdpError (never anything else).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatFileSelector,
  parseFileSelector,
  parseMsrpMedia,
  parseSdp,
  SdpError,
  serializeSdp,
} from '../src/index.js';

const printable = fc.string({
  unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~é€'.split('')),
  maxLength: 40,
});
const type = fc.constantFrom(...'osiuepcbtrzkam'.split(''));
const line = fc
  .tuple(type, printable)
  .map(([t, v]) => `${t}=${t === 'm' ? `message 1 TCP/MSRP ${v}` : v}`);
const sdpText = fc
  .record({
    lines: fc.array(line, { maxLength: 30 }),
    eol: fc.constantFrom('\r\n', '\n'),
    trailing: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ lines, eol, trailing }) => ['v=0', ...lines].join(eol) + eol.repeat(trailing));

describe('SDP properties', () => {
  it('serializeSdp(parseSdp(x)) === x for generated SDP', () => {
    fc.assert(
      fc.property(sdpText, (text) => {
        expect(serializeSdp(parseSdp(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary text parses or throws SdpError, and so does reading MSRP media from it', () => {
    const attribute = fc
      .tuple(
        fc.constantFrom(
          'path',
          'accept-types',
          'accept-wrapped-types',
          'max-size',
          'setup',
          'connection',
          'fingerprint',
          'file-selector',
          'file-transfer-id',
          'file-date',
          'file-range',
          'sendonly',
        ),
        printable,
      )
      .map(([name, value]) => `a=${name}:${value}`);
    const msrpish = fc
      .array(fc.oneof(attribute, line), { maxLength: 12 })
      .map((lines) => ['v=0', 'c=IN IP4 h', 'm=message 9 TCP/MSRP *', ...lines].join('\r\n'));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), msrpish), (text) => {
        try {
          parseMsrpMedia(parseSdp(text));
        } catch (e) {
          expect(e).toBeInstanceOf(SdpError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a file selector formats and parses back to itself', () => {
    const selector = fc.record(
      {
        // Names with the characters RFC 5547 escapes, and any Unicode.
        name: fc.string({
          unit: fc.oneof(
            fc.constantFrom('"', '%', '\r', '\n', '\0', ' '),
            fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
          ),
          minLength: 1,
          maxLength: 30,
        }),
        type: fc.constantFrom('image/jpeg', 'text/plain', 'application/octet-stream'),
        size: fc.nat(),
        hash: fc.uint8Array({ minLength: 1, maxLength: 20 }).map((b) => ({
          algorithm: 'sha-1',
          value: Buffer.from(b)
            .toString('hex')
            .toUpperCase()
            .replace(/(..)(?!$)/g, '$1:'),
        })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(selector, (s) => {
        expect(parseFileSelector(formatFileSelector(s))).toEqual(s);
      }),
      { numRuns: 500 },
    );
  });
});
