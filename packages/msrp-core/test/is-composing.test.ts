// is-composing documents (RFC 3994 §4): every fixture parsed whole, canonical fixtures written
// back byte for byte, the others round-tripped, and the documents we refuse.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIsComposing, MsrpError, parseIsComposing, type IsComposing } from '../src/index.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/is-composing/${name}`, import.meta.url)));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const FIXTURES: Array<{ file: string; parsed: IsComposing; canonical: boolean }> = [
  {
    file: 'active-refresh-contenttype.xml',
    canonical: false,
    parsed: { state: 'active', contenttype: 'text/plain', refresh: 90 },
  },
  {
    file: 'idle-lastactive.xml',
    canonical: false,
    parsed: { state: 'idle', lastactive: new Date('2003-01-27T10:43:00Z'), contenttype: 'audio' },
  },
  {
    file: 'active-canonical.xml',
    canonical: true,
    parsed: { state: 'active', contenttype: 'text/plain', refresh: 120 },
  },
  {
    file: 'idle-canonical.xml',
    canonical: true,
    parsed: { state: 'idle', lastactive: new Date('2026-11-30T00:15:30.250Z') },
  },
  {
    file: 'active-rcs.xml',
    canonical: false,
    parsed: { state: 'active', contenttype: 'text/plain', refresh: 60 },
  },
  {
    file: 'idle-prefixed-crlf.xml',
    canonical: false,
    parsed: { state: 'idle', lastactive: new Date('2026-11-30T00:15:30Z') },
  },
];

describe('parseIsComposing / formatIsComposing on the fixtures', () => {
  for (const { file, parsed, canonical } of FIXTURES) {
    it(`parses ${file} whole`, () => {
      expect(parseIsComposing(fixture(file))).toEqual(parsed);
    });

    it(`round-trips ${file}`, () => {
      const written = formatIsComposing(parseIsComposing(fixture(file)));
      expect(parseIsComposing(written)).toEqual(parsed);
      if (canonical) expect(text(written)).toBe(text(fixture(file)));
    });
  }
});

describe('formatIsComposing', () => {
  it('writes the schema order: state, lastactive, contenttype, refresh', () => {
    const written = text(
      formatIsComposing({
        refresh: 60,
        contenttype: 'text/plain',
        lastactive: new Date('2026-01-01T00:00:00Z'),
        state: 'active',
      }),
    );
    const at = (tag: string): number => written.indexOf(`<${tag}>`);
    expect(at('state')).toBeGreaterThan(0);
    expect(at('state')).toBeLessThan(at('lastactive'));
    expect(at('lastactive')).toBeLessThan(at('contenttype'));
    expect(at('contenttype')).toBeLessThan(at('refresh'));
  });

  it('escapes a content type with markup in it', () => {
    const status: IsComposing = { state: 'active', contenttype: 'text/x-<&>' };
    expect(parseIsComposing(formatIsComposing(status))).toEqual(status);
  });

  it('refuses a bad state, an invalid date or one past 4 digits, and a refresh that is no positive integer', () => {
    const bad = [
      { state: 'typing' },
      { state: 'idle', lastactive: new Date(Number.NaN) },
      { state: 'idle', lastactive: new Date(Date.UTC(10000, 0, 1)) },
      { state: 'idle', lastactive: new Date(Date.UTC(-1, 0, 1)) },
      { state: 'active', refresh: 0 },
      { state: 'active', refresh: 1.5 },
    ];
    for (const status of bad) {
      expect(() => formatIsComposing(status as IsComposing)).toThrow(
        expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
      );
    }
  });
});

// RFC 3994 §4 schema: lastactive is an xs:dateTime, whose time zone may be left out.
it('reads a lastactive with an offset, and one without a time zone in UTC', () => {
  const NS = 'urn:ietf:params:xml:ns:im-iscomposing';
  const at = (lastactive: string): Date | undefined =>
    parseIsComposing(
      bytes(
        `<isComposing xmlns="${NS}"><state>idle</state><lastactive>${lastactive}</lastactive></isComposing>`,
      ),
    ).lastactive;
  expect(at('2003-01-27T10:43:00.5+01:00')).toEqual(new Date('2003-01-27T09:43:00.500Z'));
  expect(at(' 2003-01-27T10:43:00 ')).toEqual(new Date('2003-01-27T10:43:00Z'));
});

describe('parseIsComposing refuses what is not an is-composing status', () => {
  const NS = 'urn:ietf:params:xml:ns:im-iscomposing';
  const doc = (inner: string, root = `isComposing xmlns="${NS}"`): Uint8Array =>
    bytes(`<${root}>${inner}</${root.split(' ')[0]}>`);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    [
      'another root',
      doc('<state>active</state>', 'imdn xmlns="urn:ietf:params:xml:ns:imdn"'),
      /not an isComposing/,
    ],
    ['the root in no namespace', doc('<state>active</state>', 'isComposing'), /not an isComposing/],
    ['no state', doc('<refresh>60</refresh>'), /state> is missing/],
    ['an unknown state', doc('<state>typing</state>'), /'typing'/],
    ['two states', doc('<state>active</state><state>idle</state>'), /2 times/],
    ['a state in another namespace', doc('<x:state xmlns:x="urn:x">active</x:state>'), /missing/],
    [
      'a lastactive that is no date',
      doc('<state>idle</state><lastactive>yesterday</lastactive>'),
      /lastactive/,
    ],
    // RFC 3994 §4: xs:dateTime, not whatever `new Date` makes of it (2001-01-01, local time).
    [
      'a lastactive that is a number',
      doc('<state>idle</state><lastactive>1</lastactive>'),
      /lastactive/,
    ],
    [
      'a lastactive in another date format',
      doc('<state>idle</state><lastactive>Mon, 27 Jan 2003 10:43:00 GMT</lastactive>'),
      /lastactive/,
    ],
    ['a zero refresh', doc('<state>active</state><refresh>0</refresh>'), /positive integer/],
    ['a negative refresh', doc('<state>active</state><refresh>-5</refresh>'), /positive integer/],
    [
      'a fractional refresh',
      doc('<state>active</state><refresh>1.5</refresh>'),
      /positive integer/,
    ],
    [
      'a huge refresh',
      doc('<state>active</state><refresh>99999999999999</refresh>'),
      /positive integer/,
    ],
  ];
  for (const [what, body, message] of cases) {
    it(`refuses ${what} with MSRP_ERR_XML (400)`, () => {
      let error: unknown;
      try {
        parseIsComposing(body);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MsrpError);
      expect(error).toMatchObject({ code: 'MSRP_ERR_XML', status: 400 });
      expect((error as Error).message).toMatch(message);
    });
  }
});
