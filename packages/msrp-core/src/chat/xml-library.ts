// fast-xml-parser for runtimes other than Node (browsers): a plain static import, so that
// bundlers include it, and drop it with the chat codecs when an app does not use them.
// Node resolves `#xml-library` to node/xml-library.ts instead (package.json "imports").
import * as fastXmlParser from 'fast-xml-parser';

/** What xml-tree.ts uses of fast-xml-parser. */
export type XmlLibrary = Pick<typeof fastXmlParser, 'XMLParser' | 'XMLBuilder' | 'XMLValidator'>;

/** fast-xml-parser, loaded with this module. */
export function xmlLibrary(): XmlLibrary {
  return fastXmlParser;
}
