// message/cpim (RFC 3862) fixtures: the RFC's own example and what RCS clients send, each
// parsed whole, checked field by field, and written back octet for octet.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CPIM_HEADERS_NS,
  formatCpim,
  formatCpimDateTime,
  parseCpim,
  parseCpimDateTime,
  type CpimMessage,
} from '../src/index.js';

const DIR = join(import.meta.dirname, 'fixtures', 'cpim');
const IMDN = 'urn:ietf:params:imdn';

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DIR, name)));
}

function parsed(name: string): CpimMessage {
  return parseCpim(fixture(name));
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('every CPIM fixture', () => {
  const names = readdirSync(DIR).filter((f) => f.endsWith('.cpim'));

  it('finds the fixtures', () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of names.filter((f) => !f.endsWith('.lf.cpim'))) {
    it(`${name}: parses whole and formats back byte-exact`, () => {
      const bytes = fixture(name);
      const message = parseCpim(bytes);
      expect(Buffer.from(formatCpim(message)).equals(Buffer.from(bytes))).toBe(true);
      // And again: a formatted message parses to the same headers.
      const again = parseCpim(formatCpim(message));
      expect(again.headers.map((h) => [h.name, h.value])).toEqual(
        message.headers.map((h) => [h.name, h.value]),
      );
    });
  }
});

describe('RFC 3862 §3 example', () => {
  const m = parsed('rfc3862-example.cpim');

  it('reads the outer MIME headers apart from the metadata', () => {
    expect(m.mimeHeaders.map((f) => [f.name, f.value])).toEqual([['Content-type', 'Message/CPIM']]);
  });

  it('reads From and To with their formal names', () => {
    expect(m.from).toEqual({ name: 'MR SANDERS', uri: 'im:piglet@100akerwood.com' });
    expect(m.to).toEqual([{ name: 'Depressed Donkey', uri: 'im:eeyore@100akerwood.com' }]);
  });

  it('reads DateTime with its offset', () => {
    expect(m.dateTime?.date.toISOString()).toBe('2000-12-13T21:40:00.000Z');
    expect(m.dateTime?.raw).toBe('2000-12-13T13:40:00-08:00');
  });

  it('reads both Subjects, one with ;lang=fr', () => {
    expect(m.subjects).toEqual([
      { text: 'the weather will be fine today' },
      { text: "beau temps prevu pour aujourd'hui", lang: 'fr' },
    ]);
    expect(m.headers[4]?.params).toEqual([{ name: 'lang', value: 'fr' }]);
  });

  it('binds MyFeatures to its namespace and resolves Require', () => {
    expect(m.namespaces).toEqual([{ prefix: 'MyFeatures', uri: 'mid:MessageFeatures@id.foo.com' }]);
    expect(m.require).toEqual(['MyFeatures.VitalMessageOption']);
    const vital = m.get('mid:MessageFeatures@id.foo.com', 'VitalMessageOption');
    expect(vital?.value).toBe('Confirmation-requested');
    expect(vital?.prefix).toBe('MyFeatures');
    expect(m.unsupportedRequired([])).toEqual(['MyFeatures.VitalMessageOption']);
    expect(
      m.unsupportedRequired([
        { namespace: 'mid:MessageFeatures@id.foo.com', name: 'VitalMessageOption' },
      ]),
    ).toEqual([]);
  });

  it('reads the encapsulated object as text/xml', () => {
    expect(m.contentHeader('content-id')).toBe('<1234567890@foo.com>');
    expect(m.isText).toBe(true);
    expect(m.text()).toBe('<body>\r\nHere is the text of my message.\r\n</body>\r\n');
  });
});

describe('RCS one-to-one chat', () => {
  const m = parsed('rcs-one-to-one.cpim');

  it('has the anonymous From and To', () => {
    expect(m.from).toEqual({ uri: 'sip:anonymous@anonymous.invalid' });
    expect(m.to).toEqual([{ uri: 'sip:anonymous@anonymous.invalid' }]);
  });

  it('gives the imdn headers by namespace', () => {
    expect(m.get(IMDN, 'Message-ID')?.text).toBe('5a8f0c2e-9a51-4f7e-b1c4-2d6e8f9a0b1c');
    expect(m.get(IMDN, 'Disposition-Notification')?.text).toBe(
      'positive-delivery, negative-delivery, display',
    );
    expect(m.get(CPIM_HEADERS_NS, 'Message-ID')).toBeUndefined();
  });

  it('reads DateTime with milliseconds', () => {
    expect(m.dateTime?.date.getTime()).toBe(Date.UTC(2024, 4, 17, 9, 12, 44, 518));
  });

  it('decodes the UTF-8 text body, and keeps its Content-Length', () => {
    expect(m.text()).toBe('Hello from RCS 👋');
    expect(m.contentHeader('Content-Length')).toBe(String(m.body.length));
  });
});

describe('RCS group chat', () => {
  const m = parsed('rcs-group-chat.cpim');

  it('names the sender and addresses the conference', () => {
    expect(m.from).toEqual({ name: 'Alice Liddell', uri: 'sip:+15551234567@ims.example.com' });
    expect(m.to).toEqual([{ uri: 'sip:chat-7f3a@conf.ims.example.com' }]);
  });

  it('reads a one-digit fraction and a +02:00 offset', () => {
    expect(m.dateTime?.date.toISOString()).toBe('2024-05-17T09:12:44.500Z');
  });

  it('decodes a body without Content-Length', () => {
    expect(m.contentHeader('Content-Length')).toBeUndefined();
    expect(m.text()).toBe('Bonjour à tous, ça va ?');
  });
});

describe('an IMDN wrapped in CPIM', () => {
  const m = parsed('rcs-imdn-notification.cpim');

  it('carries Content-Disposition: notification and an XML body read as text', () => {
    expect(m.contentType?.subtype).toBe('imdn+xml');
    expect(m.contentHeader('Content-Disposition')).toBe('notification');
    expect(m.isText).toBe(true);
    expect(m.text()).toContain('<message-id>5a8f0c2e-9a51-4f7e-b1c4-2d6e8f9a0b1c</message-id>');
  });
});

describe('a binary payload', () => {
  const bytes = fixture('binary-image.cpim');
  const m = parseCpim(bytes);

  it('stays bytes, blank lines and non-UTF-8 octets included', () => {
    expect(m.isText).toBe(false);
    expect(() => m.text()).toThrow(expect.objectContaining({ code: 'MSRP_ERR_CPIM' }));
    expect(m.body.length).toBe(8 + 256 + 7);
    expect(Array.from(m.body.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(Array.from(m.body.subarray(-3))).toEqual([0x00, 0xff, 0xfe]);
    // The body is the tail of the input, octet for octet.
    expect(
      Buffer.from(m.body).equals(Buffer.from(bytes.subarray(bytes.length - m.body.length))),
    ).toBe(true);
  });
});

describe('tolerance', () => {
  it('reads an inner MIME-Version, a body without Content-Length, any prefix for imdn', () => {
    const m = parsed('inner-mime-version.cpim');
    expect(m.contentHeader('MIME-Version')).toBe('1.0');
    expect(m.get(IMDN, 'Message-ID')?.name).toBe('foo.Message-ID');
    expect(m.get(IMDN, 'Disposition-Notification')?.text).toBe('display');
    expect(text(m.body)).toBe('no content-length here');
    // Six fraction digits: truncated to the millisecond; +05:30 is honoured.
    expect(m.dateTime?.date.toISOString()).toBe('2024-05-17T03:42:44.518Z');
  });

  it('parses LF-only input and writes it back with CRLF', () => {
    const lf = fixture('sloppy-lf-only.lf.cpim');
    const crlf = fixture('rcs-one-to-one.cpim');
    const m = parseCpim(lf);
    expect(m.get(IMDN, 'Message-ID')?.text).toBe('5a8f0c2e-9a51-4f7e-b1c4-2d6e8f9a0b1c');
    expect(m.text()).toBe('Hello from RCS 👋');
    const out = formatCpim(m);
    expect(Buffer.from(out).equals(Buffer.from(crlf))).toBe(true);
  });
});

describe('§2.3 escapes', () => {
  const m = parsed('escapes.cpim');

  it('decodes them in a quoted display name', () => {
    expect(m.from).toEqual({ name: 'Bob "the builder" \\o/', uri: 'sip:bob@example.com' });
    expect(m.to).toEqual([{ name: 'Carol', uri: 'sip:carol@example.com' }]);
    expect(m.cc).toEqual([{ uri: 'sip:dave@example.com' }]);
  });

  it('decodes them in Subject on request and keeps the raw value', () => {
    expect(m.subjects).toEqual([
      { text: 'tab\there, quote " and été' },
      { text: 'Grüße', lang: 'de' },
    ]);
    expect(m.headers[3]?.value).toBe('tab\\there, quote \\" and \\u00e9t\\u00e9');
  });

  it('reads a leap-day DateTime at -00:00', () => {
    expect(m.dateTime?.date.toISOString()).toBe('2024-02-29T23:59:59.999Z');
  });

  it('unfolds a folded inner header', () => {
    expect(m.contentHeader('content-type')).toBe('text/plain; charset=utf-8');
    expect(m.contentHeaders[0]?.raw).toHaveLength(2);
    expect(m.text()).toBe('escaped');
  });
});

describe('parseCpimDateTime', () => {
  const iso = (raw: string): string => parseCpimDateTime(raw).date.toISOString();

  it('reads lower-case t and z, a space for T, and an offset without its colon', () => {
    expect(iso('2024-05-17t09:12:44z')).toBe('2024-05-17T09:12:44.000Z');
    expect(iso('2024-05-17 09:12:44Z')).toBe('2024-05-17T09:12:44.000Z');
    expect(iso('2024-05-17T09:12:44+0130')).toBe('2024-05-17T07:42:44.000Z');
  });

  it('takes a two-digit year as it is, and a leap second into the next minute', () => {
    expect(iso('0099-01-01T00:00:00Z')).toBe('0099-01-01T00:00:00.000Z');
    expect(iso('2016-12-31T23:59:60Z')).toBe('2017-01-01T00:00:00.000Z');
  });

  it('keeps the raw text, and formats a Date in UTC with milliseconds', () => {
    expect(parseCpimDateTime('2024-05-17T11:12:44.5+02:00').raw).toBe(
      '2024-05-17T11:12:44.5+02:00',
    );
    expect(formatCpimDateTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe(
      '2024-01-02T03:04:05.006Z',
    );
  });

  // RFC 3339 §5.6: date-fullyear = 4DIGIT; toISOString would write "+010000-01-01T...".
  it('formats years 0000 to 9999, and refuses others as a caller error', () => {
    for (const iso of ['9999-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z']) {
      expect(formatCpimDateTime(parseCpimDateTime(iso).date)).toBe(iso);
    }
    for (const ms of [Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1), Number.NaN]) {
      expect(() => formatCpimDateTime(new Date(ms))).toThrow(
        expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
      );
    }
  });
});
