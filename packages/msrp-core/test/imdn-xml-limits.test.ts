// Hostile XML (issue 11, "Bad input"): an entity bomb, a very deep nesting, an oversized body,
// bytes that are not UTF-8, random bytes. Each is refused with a typed MSRP_ERR_XML, quickly,
// by both XML codecs; nothing crashes, hangs or expands.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_XML_LIMITS,
  MsrpError,
  parseImdn,
  parseIsComposing,
  type XmlLimits,
} from '../src/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const IMDN_NS = 'urn:ietf:params:xml:ns:imdn';
const ISC_NS = 'urn:ietf:params:xml:ns:im-iscomposing';

const PARSERS: Array<[string, (b: Uint8Array, limits?: XmlLimits) => unknown]> = [
  ['parseImdn', parseImdn],
  ['parseIsComposing', parseIsComposing],
];

function refusal(parse: () => unknown): MsrpError {
  try {
    parse();
  } catch (e) {
    if (e instanceof MsrpError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE imdn [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<imdn xmlns="${IMDN_NS}"><message-id>&lol9;</message-id><datetime>x</datetime>
<delivery-notification><status><delivered/></status></delivery-notification></imdn>`;

describe.each(PARSERS)('%s on hostile XML', (_name, parse) => {
  it('refuses a billion-laughs entity bomb before expanding anything', () => {
    const error = refusal(() => parse(bytes(BILLION_LAUGHS)));
    expect(error).toMatchObject({ code: 'MSRP_ERR_XML', status: 400 });
    expect(error.message).toMatch(/DOCTYPE/);
  });

  it('refuses any DOCTYPE, even one declaring nothing, and an external entity', () => {
    const external = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`;
    for (const body of ['<!DOCTYPE imdn><imdn/>', external, '<!doctype r><r/>']) {
      expect(refusal(() => parse(bytes(body)))).toMatchObject({ code: 'MSRP_ERR_XML' });
    }
  });

  // Refused at depth 33 in one pass (a recursive reader would overflow the stack first); the
  // test's timeout, not a measured time, stands for "quickly" (speed is the benchmarks').
  it('refuses a 100k-deep nesting at maxDepth, without recursion', () => {
    const depth = 100_000;
    const body = bytes('<a>'.repeat(depth) + '</a>'.repeat(depth));
    expect(body.byteLength).toBeLessThan(DEFAULT_XML_LIMITS.maxBytes * 16);
    const error = refusal(() => parse(body, { maxBytes: body.byteLength }));
    expect(error).toMatchObject({ code: 'MSRP_ERR_XML', status: 400 });
    expect(error.message).toMatch(/maxDepth 32/);
  });

  it('counts depth past attributes holding ">" and "/>", comments and CDATA', () => {
    const tricky = '<a x="/>" y=\'>\'><!-- <b><b><b> --><![CDATA[<b><b>]]><c/></a>';
    expect(refusal(() => parse(bytes(tricky), { maxDepth: 1 })).message).not.toMatch(/maxDepth/);
    expect(refusal(() => parse(bytes('<a><b/></a>'), { maxDepth: 1 })).message).not.toMatch(
      /maxDepth/,
    );
    expect(refusal(() => parse(bytes('<a><b></b></a>'), { maxDepth: 1 })).message).toMatch(
      /maxDepth 1/,
    );
  });

  // Every element's scope holds every declaration in force, so their number is bounded like
  // depth: a 64 KiB body declaring thousands of prefixes on a root with thousands of children.
  it('refuses more than maxNamespaceDeclarations (64 by default) in the whole document', () => {
    expect(DEFAULT_XML_LIMITS.maxNamespaceDeclarations).toBe(64);
    const decls = (n: number, at = 0): string =>
      Array.from({ length: n }, (_, i) => ` xmlns:p${at + i}="urn:x"`).join('');
    const hostile = `<r xmlns="urn:x"${decls(2500)}>${'<a/>'.repeat(3000)}</r>`;
    expect(hostile.length).toBeLessThan(DEFAULT_XML_LIMITS.maxBytes);
    const error = refusal(() => parse(bytes(hostile)));
    expect(error).toMatchObject({ code: 'MSRP_ERR_XML', status: 400 });
    expect(error.message).toMatch(/maxNamespaceDeclarations 64/);
    // Counted across elements, default namespaces too; not in attribute values.
    const spread = `<r${decls(1)}><a xmlns="urn:y"/><b\n\txmlns:q = "u" c=" xmlns:z=''"/></r>`;
    expect(refusal(() => parse(bytes(spread), { maxNamespaceDeclarations: 2 })).message).toMatch(
      /maxNamespaceDeclarations 2/,
    );
    expect(
      refusal(() => parse(bytes(spread), { maxNamespaceDeclarations: 3 })).message,
    ).not.toMatch(/maxNamespaceDeclarations/);
  });

  it('refuses a body over maxBytes (64 KiB by default) with 413, before decoding it', () => {
    expect(DEFAULT_XML_LIMITS.maxBytes).toBe(64 * 1024);
    const big = new Uint8Array(DEFAULT_XML_LIMITS.maxBytes + 1).fill(0xff); // not even UTF-8
    const error = refusal(() => parse(big));
    expect(error).toMatchObject({ code: 'MSRP_ERR_XML', status: 413 });
    expect(error.message).toMatch(/maxBytes 65536/);
    expect(refusal(() => parse(bytes('<a/>'), { maxBytes: 3 }))).toMatchObject({ status: 413 });
  });

  it('refuses bytes that are not UTF-8, and markup cut short', () => {
    expect(
      refusal(() => parse(new Uint8Array([0x3c, 0x61, 0xc3, 0x28, 0x2f, 0x3e]))).message,
    ).toMatch(/UTF-8/);
    for (const cut of ['<a', '<a><!-- x', '<a><![CDATA[ x', '<?xml version="1.0"', '<a></a']) {
      expect(refusal(() => parse(bytes(cut)))).toMatchObject({ code: 'MSRP_ERR_XML' });
    }
  });

  it('refuses element and attribute names that would reach Object.prototype', () => {
    for (const body of [
      '<__proto__><a/></__proto__>',
      '<r><__proto__>x</__proto__></r>',
      '<r __proto__="1"/>',
    ]) {
      expect(refusal(() => parse(bytes(body)))).toMatchObject({ code: 'MSRP_ERR_XML' });
    }
  });

  it('throws nothing but MSRP_ERR_XML on random bytes and random markup', () => {
    const markup = fc
      .array(
        fc.constantFrom('<', '>', '/', '!', '?', '-', '[', ']', '"', '&', ';', 'a', ':', ' ', '='),
        {
          maxLength: 60,
        },
      )
      .map((parts) => bytes(parts.join('')));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), markup), (body) => {
        try {
          parse(body);
        } catch (e) {
          expect(e).toBeInstanceOf(MsrpError);
          expect((e as MsrpError).code).toBe('MSRP_ERR_XML');
        }
      }),
      { numRuns: 500 },
    );
  });
});

it('leaves a valid document with a comment and a processing instruction alone', () => {
  const body = `<?xml version="1.0"?><!-- from a client --><?app hint?>
<isComposing xmlns="${ISC_NS}"><state><![CDATA[active]]></state></isComposing>`;
  expect(parseIsComposing(bytes(body))).toEqual({ state: 'active' });
});
