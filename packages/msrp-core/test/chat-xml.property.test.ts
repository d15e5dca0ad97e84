// fast-check properties of the chat XML codecs (IMDN, is-composing): what formatImdn and
// formatIsComposing write reads back the same (values trimmed), or they refuse it with
// MSRP_ERR_INVALID_ARGUMENT, never writing a document that is not well-formed; mutated
// documents give a value or an MSRP_ERR_XML, never another error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatImdn,
  formatIsComposing,
  MsrpError,
  parseImdn,
  parseIsComposing,
  type ImdnNotification,
  type IsComposing,
} from '../src/index.js';

/** XML 1.0's Char (§2.2). */
const xmlChars = (s: string): boolean =>
  /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u.test(s);
const anyText = fc.string({ unit: 'binary', maxLength: 24 });
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined });
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

const notifications = fc
  .record(
    {
      messageId: anyText,
      dateTime: anyText,
      recipientUri: optional(anyText),
      originalRecipientUri: optional(anyText),
      subject: optional(anyText),
      kindStatus: fc.constantFrom(
        ['delivery', 'delivered'],
        ['delivery', 'failed'],
        ['display', 'displayed'],
        ['processing', 'stored'],
      ),
    },
    { requiredKeys: ['messageId', 'dateTime', 'kindStatus'] },
  )
  .map(
    ({ kindStatus: [kind, status], ...rest }) => ({ ...rest, kind, status }) as ImdnNotification,
  );

/** Whether formatImdn must refuse `n`: a blank id or date, or a character XML cannot carry. */
function refused(n: ImdnNotification): boolean {
  const values = [n.messageId, n.dateTime, n.recipientUri, n.originalRecipientUri, n.subject];
  return (
    !n.messageId.trim() || !n.dateTime.trim() || values.some((v) => v !== undefined && !xmlChars(v))
  );
}

/** What parseImdn gives back for what formatImdn wrote of `n`. */
function readBack(n: ImdnNotification): ImdnNotification {
  const { kind, status } = n;
  const back = { kind, status, messageId: n.messageId.trim(), dateTime: n.dateTime.trim() };
  const recipientUri = n.recipientUri?.trim();
  const originalRecipientUri = n.originalRecipientUri?.trim();
  return {
    ...back,
    ...(recipientUri && { recipientUri }),
    ...(originalRecipientUri && { originalRecipientUri }),
    ...(n.subject !== undefined && { subject: n.subject.trim() }),
  } as ImdnNotification;
}

const expectError = (f: () => unknown, code: string): void => {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(MsrpError);
  expect((thrown as MsrpError).code).toBe(code);
};

describe('IMDN', () => {
  it('reads back what it writes, or refuses it', () => {
    fc.assert(
      fc.property(notifications, (n) => {
        if (refused(n)) return expectError(() => formatImdn(n), 'MSRP_ERR_INVALID_ARGUMENT');
        expect(parseImdn(formatImdn(n))).toEqual(readBack(n));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a CR in a value (a raw one would read back as LF)', () => {
    const n: ImdnNotification = {
      kind: 'display',
      status: 'displayed',
      messageId: 'm1',
      dateTime: '2026-12-03T05:00:00Z',
      subject: 'two\r\nlines',
    };
    const written = decode(formatImdn(n));
    expect(written).toContain('two&#13;\nlines');
    expect(parseImdn(encode(written)).subject).toBe('two\r\nlines');
  });

  it('refuses to write a control character, and to read one', () => {
    const n: ImdnNotification = {
      kind: 'delivery',
      status: 'delivered',
      messageId: 'm\u0000',
      dateTime: 'now',
    };
    expect(() => formatImdn(n)).toThrow('U+0000 cannot be written in XML');
    const doc = decode(formatImdn({ ...n, messageId: 'm_' })).replace('m_', 'm\u0001');
    expectError(() => parseImdn(encode(doc)), 'MSRP_ERR_XML');
  });

  // XML 1.0 §4.1 "WFC: Legal Character": a character reference MUST name a Char (§2.2), so
  // <message-id>m&#1;</message-id> is no document, not the id "m".
  it('refuses a reference to a character XML does not allow, in text and attributes', () => {
    const doc = (id: string, attribute = ''): Uint8Array =>
      encode(
        decode(
          formatImdn({ kind: 'display', status: 'displayed', messageId: '_', dateTime: 'd' }),
        ).replace('<message-id>_', `<message-id${attribute}>${id}`),
      );
    for (const ref of ['&#1;', '&#0;', '&#x1;', '&#27;', '&#xD800;', '&#65535;', '&#x110000;']) {
      expectError(() => parseImdn(doc(`m${ref}`)), 'MSRP_ERR_XML');
      expectError(() => parseImdn(doc('m', ` a="${ref}"`)), 'MSRP_ERR_XML');
    }
    for (const bad of ['&#;', '&#x;', '&#12', '&#-1;', '&#1a;']) {
      expectError(() => parseImdn(doc(`m${bad}`)), 'MSRP_ERR_XML');
    }
    const id = 'm&#65;&#x42;&#x1F600;&#00067;<!-- &#1; --><![CDATA[&#1;]]><?pi &#1;?>';
    expect(parseImdn(doc(id, ' a="&#x9;"')).messageId).toBe('mAB\u{1F600}C&#1;');
  });

  // XML 1.0 §4.1 "WFC: Entity Declared": without a DTD a reference names one of the five
  // predefined entities; &nbsp; or &copy; (HTML's) is no document, not "m \u00a9x". §2.4: a
  // bare "&" is markup.
  it('refuses an entity reference that is not predefined, and a bare "&"', () => {
    const doc = (id: string): Uint8Array =>
      encode(
        decode(
          formatImdn({ kind: 'display', status: 'displayed', messageId: '_', dateTime: 'd' }),
        ).replace('<message-id>_', `<message-id a="${id}">${id}`),
      );
    for (const bad of ['m&nbsp;&copy;x', 'm&foo;', 'a & b', 'm&amp', 'm&;']) {
      expectError(() => parseImdn(doc(bad)), 'MSRP_ERR_XML');
    }
    const id = 'm&amp;&lt;&gt;&apos;&quot;<!-- &nbsp; --><![CDATA[&copy; &]]>';
    expect(parseImdn(doc(id.replace(/<.*$/, ''))).messageId).toBe(`m&<>'"`);
    const body = decode(
      formatImdn({ kind: 'display', status: 'displayed', messageId: '_', dateTime: 'd' }),
    ).replace('<message-id>_', `<message-id>${id}`);
    expect(parseImdn(encode(body)).messageId).toBe(`m&<>'"&copy; &`);
  });
});

describe('is-composing', () => {
  const statuses = fc.record(
    {
      state: fc.constantFrom('active' as const, 'idle' as const),
      lastactive: fc.date({ noInvalidDate: true }),
      contenttype: anyText,
      refresh: fc.oneof(fc.integer({ min: 1, max: 999_999_999 }), fc.maxSafeNat()),
    },
    { requiredKeys: ['state'] },
  );

  it('reads back what it writes, or refuses it', () => {
    fc.assert(
      fc.property(statuses, (s: IsComposing) => {
        const { contenttype, refresh } = s;
        const year = s.lastactive?.getUTCFullYear() ?? 2000;
        if (
          (contenttype !== undefined && !xmlChars(contenttype)) ||
          (refresh !== undefined && (refresh < 1 || refresh > 999_999_999)) ||
          year < 0 ||
          year > 9999
        ) {
          return expectError(() => formatIsComposing(s), 'MSRP_ERR_INVALID_ARGUMENT');
        }
        expect(parseIsComposing(formatIsComposing(s))).toEqual({
          state: s.state,
          ...(s.lastactive && { lastactive: s.lastactive }),
          ...(contenttype?.trim() && { contenttype: contenttype.trim() }),
          ...(refresh !== undefined && { refresh }),
        });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('mutated documents', () => {
  const documents = [
    formatImdn({
      kind: 'delivery',
      status: 'delivered',
      messageId: 'm1',
      dateTime: '2026-01-01T00:00:00Z',
      recipientUri: 'sip:bob@example.com',
      subject: 'hi',
    }),
    formatIsComposing({ state: 'active', refresh: 60, contenttype: 'text/plain' }),
  ].map(decode);
  const pieces = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.constantFrom(
      ...['<', '>', '</', '/>', '&', '&amp;', '&#0;', '&#x110000;', '&#13;', '<![CDATA[', ']]>'],
      ...['<!--', '-->', '<?', '?>', 'xmlns:a="x"', 'a:', '"', '<x>', '</x>', '&unknown;'],
    ),
  );

  it('parse to a value or MSRP_ERR_XML', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...documents),
        fc.array(fc.tuple(fc.nat(), fc.nat(8), pieces), { minLength: 1, maxLength: 5 }),
        (document, edits) => {
          let text = document;
          for (const [at, cut, put] of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + put + text.slice(i + cut);
          }
          for (const parse of [parseImdn, parseIsComposing]) {
            try {
              parse(encode(text));
            } catch (e) {
              expect((e as MsrpError).code).toBe('MSRP_ERR_XML');
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
