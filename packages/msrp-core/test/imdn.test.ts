// IMDN documents (RFC 5438): every fixture parsed whole, canonical fixtures written back byte
// for byte, the others round-tripped through formatImdn, and the documents we refuse.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatImdn, MsrpError, parseImdn, type ImdnNotification } from '../src/index.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/imdn/${name}`, import.meta.url)));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Each fixture, what it parses to, and whether formatImdn writes it back byte for byte. */
const FIXTURES: Array<{ file: string; parsed: ImdnNotification; canonical: boolean }> = [
  {
    file: 'delivery-delivered.xml',
    canonical: true,
    parsed: {
      messageId: '34jk324j',
      dateTime: '2008-04-04T12:16:49-05:00',
      recipientUri: 'im:bob@example.com',
      originalRecipientUri: 'im:bob@example.com',
      subject: 'Weekly report',
      kind: 'delivery',
      status: 'delivered',
    },
  },
  {
    file: 'delivery-failed.xml',
    canonical: true,
    parsed: {
      messageId: '9f0c4d2e-5b7a-4e1f-8c3d-2a6b1e0f7c94',
      dateTime: '2026-11-29T23:59:58.123Z',
      recipientUri: 'sip:anonymous@anonymous.invalid',
      kind: 'delivery',
      status: 'failed',
    },
  },
  {
    file: 'display-displayed.xml',
    canonical: true,
    parsed: {
      messageId: 'd834jied93rf',
      dateTime: '2008-04-04T12:16:49-05:00',
      recipientUri: 'sip:bob@example.com',
      kind: 'display',
      status: 'displayed',
    },
  },
  {
    file: 'processing-stored.xml',
    canonical: true,
    parsed: {
      messageId: '34jk324j',
      dateTime: '2008-04-04T12:16:49-05:00',
      recipientUri: 'im:list@example.com',
      originalRecipientUri: 'im:bob@example.com',
      kind: 'processing',
      status: 'stored',
    },
  },
  {
    file: 'delivery-delivered-prefixed.xml',
    canonical: false,
    parsed: {
      messageId: 'Yd5xP2kQ7sN',
      dateTime: '2026-11-30T01:02:03+01:00',
      recipientUri: 'tel:+15551234567',
      kind: 'delivery',
      status: 'delivered',
    },
  },
  {
    file: 'display-displayed-rcs.xml',
    canonical: false,
    parsed: {
      messageId: 'MzQ1Njc4OTAxMjM0',
      dateTime: '2026-11-30T00:10:00Z',
      recipientUri: 'sip:anonymous@anonymous.invalid',
      kind: 'display',
      status: 'displayed',
    },
  },
  {
    file: 'processing-processed-other-prefix.xml',
    canonical: false,
    parsed: {
      messageId: 'abc&def',
      dateTime: '2008-04-04T12:16:49Z',
      recipientUri: 'im:alice@example.com',
      subject: 'Q&A <today>',
      kind: 'processing',
      status: 'processed',
    },
  },
];

describe('parseImdn / formatImdn on the fixtures', () => {
  for (const { file, parsed, canonical } of FIXTURES) {
    it(`parses ${file} whole`, () => {
      expect(parseImdn(fixture(file))).toEqual(parsed);
    });

    it(`round-trips ${file}`, () => {
      const written = formatImdn(parseImdn(fixture(file)));
      expect(parseImdn(written)).toEqual(parsed);
      if (canonical)
        expect(new TextDecoder().decode(written)).toBe(new TextDecoder().decode(fixture(file)));
    });
  }
});

// Namespaces in XML §6.1: a declaration's scope is the element that makes it and its content,
// so one a child redeclares holds for that child only, not for the siblings after it.
describe('parseImdn namespace scopes', () => {
  it('resolves prefixes across many elements, a child redeclaring one', () => {
    const NS = 'urn:ietf:params:xml:ns:imdn';
    const body =
      `<i:imdn xmlns:i="${NS}" xmlns:o="urn:other">` +
      '<o:x xmlns:i="urn:not-imdn"><i:message-id>wrong</i:message-id></o:x>' +
      '<i:message-id xmlns:i="urn:not-imdn">wrong too</i:message-id>' +
      '<o:pad/>'.repeat(5000) +
      '<i:message-id>m</i:message-id><i:datetime>2008-04-04T12:16:49Z</i:datetime>' +
      '<delivery-notification xmlns="urn:not-imdn"><i:status/></delivery-notification>' +
      '<i:delivery-notification><i:status><o:failed/><i:delivered/></i:status>' +
      '</i:delivery-notification></i:imdn>';
    expect(parseImdn(bytes(body))).toEqual({
      messageId: 'm',
      dateTime: '2008-04-04T12:16:49Z',
      kind: 'delivery',
      status: 'delivered',
    });
  });
});

describe('formatImdn', () => {
  it('escapes markup in values so that they read back unchanged', () => {
    const n: ImdnNotification = {
      messageId: '<a&b>"\'',
      dateTime: '2026-11-30T00:00:00Z',
      recipientUri: 'sip:a@b.example;x="<y>"',
      subject: '</subject><display-notification>',
      kind: 'delivery',
      status: 'delivered',
    };
    expect(parseImdn(formatImdn(n))).toEqual(n);
  });

  it('writes every status of every kind, and reads it back', () => {
    const statuses = {
      delivery: ['delivered', 'failed', 'forbidden', 'error'],
      display: ['displayed', 'forbidden', 'error'],
      processing: ['processed', 'stored', 'forbidden', 'error'],
    } as const;
    for (const [kind, list] of Object.entries(statuses)) {
      for (const status of list) {
        const n = { messageId: 'm', dateTime: 'd', kind, status } as ImdnNotification;
        expect(parseImdn(formatImdn(n))).toEqual(n);
      }
    }
  });

  it('refuses a status that does not belong to the kind, and an empty message-id', () => {
    const wrong = { messageId: 'm', dateTime: 'd', kind: 'display', status: 'delivered' };
    expect(() => formatImdn(wrong as unknown as ImdnNotification)).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
    );
    const empty: ImdnNotification = {
      messageId: '',
      dateTime: 'd',
      kind: 'display',
      status: 'displayed',
    };
    expect(() => formatImdn(empty)).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('parseImdn refuses what is not an IMDN', () => {
  const NS = 'urn:ietf:params:xml:ns:imdn';
  const doc = (inner: string, root = `imdn xmlns="${NS}"`): Uint8Array =>
    bytes(`<${root}>${inner}</${root.split(' ')[0]}>`);
  const ids = '<message-id>m</message-id><datetime>2008-04-04T12:16:49Z</datetime>';
  const delivered = '<delivery-notification><status><delivered/></status></delivery-notification>';

  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['an empty body', bytes(''), /well-formed/],
    ['another root element', doc(ids + delivered, `isComposing xmlns="${NS}"`), /not an IMDN/],
    ['the right root in no namespace', doc(ids + delivered, 'imdn'), /not an IMDN/],
    [
      'the right root in another namespace',
      doc(ids + delivered, 'imdn xmlns="urn:x"'),
      /not an IMDN/,
    ],
    ['no message-id', doc('<datetime>x</datetime>' + delivered), /message-id/],
    [
      'an empty message-id',
      doc('<message-id> </message-id><datetime>x</datetime>' + delivered),
      /message-id/,
    ],
    ['no datetime', doc('<message-id>m</message-id>' + delivered), /datetime/],
    ['two message-ids', doc('<message-id>m</message-id>' + ids + delivered), /2 times/],
    ['no notification', doc(ids), /0 notification/],
    [
      'two notifications',
      doc(
        ids +
          delivered +
          '<display-notification><status><displayed/></status></display-notification>',
      ),
      /2 notification/,
    ],
    ['no status', doc(ids + '<delivery-notification></delivery-notification>'), /<status>/],
    [
      'an empty status',
      doc(ids + '<delivery-notification><status/></delivery-notification>'),
      /not one of/,
    ],
    [
      'a status of another kind',
      doc(ids + '<display-notification><status><delivered/></status></display-notification>'),
      /not one of/,
    ],
    [
      'two statuses',
      doc(
        ids +
          '<delivery-notification><status><delivered/><failed/></status></delivery-notification>',
      ),
      /not one of/,
    ],
    [
      'a status in another namespace',
      doc(
        ids +
          '<delivery-notification><status><x:delivered xmlns:x="urn:x"/></status></delivery-notification>',
      ),
      /not one of/,
    ],
    ['an unbound prefix', doc(ids + '<p:delivery-notification/>'), /prefix 'p'/],
    ['text that is not XML', bytes('delivered, thanks'), /well-formed/],
    ['unclosed tags', bytes(`<imdn xmlns="${NS}"><message-id>m</imdn>`), /well-formed/],
    ['two roots', bytes(`<imdn xmlns="${NS}"/><imdn xmlns="${NS}"/>`), /2 root/],
  ];

  for (const [what, body, message] of cases) {
    it(`refuses ${what} with MSRP_ERR_XML (400)`, () => {
      let error: unknown;
      try {
        parseImdn(body);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MsrpError);
      expect(error).toMatchObject({ code: 'MSRP_ERR_XML', status: 400 });
      expect((error as Error).message).toMatch(message);
    });
  }
});
