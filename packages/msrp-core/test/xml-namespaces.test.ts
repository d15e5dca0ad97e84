// Namespaces in XML 1.0 §3 in the chat XML reader: the prefix `xml` is bound by definition to
// http://www.w3.org/XML/1998/namespace, needs no declaration, and may be declared only to that
// name; no other prefix may take that name, and `xmlns` is never declared nor an element's.
import { describe, expect, it } from 'vitest';
import { parseImdn, parseIsComposing } from '../src/index.js';
import { parseXmlDocument } from '../src/chat/xml-tree.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const parse = (text: string) => parseXmlDocument(encode(text));

describe('the xml prefix (Namespaces in XML 1.0 §3)', () => {
  it('is bound without a declaration, on elements and attributes', () => {
    expect(parse('<xml:foo/>')).toMatchObject({ ns: XML_NS, name: 'foo' });
    const root = parse('<r xml:lang="en"><xml:note xml:space="preserve">x</xml:note></r>');
    expect(root.children).toMatchObject([{ ns: XML_NS, name: 'note', text: 'x' }]);
  });

  it('may be declared to its own namespace name', () => {
    expect(parse(`<xml:foo xmlns:xml="${XML_NS}"/>`)).toMatchObject({ ns: XML_NS, name: 'foo' });
  });

  it('lets an is-composing status and an IMDN carry xml:lang and xml: elements', () => {
    const NS = 'urn:ietf:params:xml:ns:im-iscomposing';
    const composing = parseIsComposing(
      encode(
        `<isComposing xmlns="${NS}" xml:lang="en"><xml:extra/><state>active</state></isComposing>`,
      ),
    );
    expect(composing.state).toBe('active');
    const imdn = parseImdn(
      encode(
        '<imdn xmlns="urn:ietf:params:xml:ns:imdn" xml:lang="fr">' +
          '<message-id>34jk324j</message-id><datetime>2008-04-04T12:16:49-05:00</datetime>' +
          '<display-notification><status><displayed/></status></display-notification></imdn>',
      ),
    );
    expect(imdn.messageId).toBe('34jk324j');
  });

  it.each([
    ['xml bound to another namespace name', '<r xmlns:xml="http://example.com/x"/>'],
    ['another prefix bound to the xml namespace name', `<r xmlns:x="${XML_NS}"/>`],
    ['the default namespace set to the xml namespace name', `<r xmlns="${XML_NS}"/>`],
    ['xmlns declared as a prefix', '<r xmlns:xmlns="http://example.com/x"/>'],
    ['an element with the prefix xmlns', '<xmlns:r/>'],
    ['a prefix still unbound', '<foo:r/>'],
  ])('refuses %s with MSRP_ERR_XML', (_, text) => {
    expect(() => parse(text)).toThrow(expect.objectContaining({ code: 'MSRP_ERR_XML' }));
  });
});
