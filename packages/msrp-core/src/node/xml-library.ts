// fast-xml-parser on Node, loaded on first use: `#xml-library` resolves here under the "node"
// condition (package.json "imports"). Importing its ES modules costs ~8 MiB of RSS (measured:
// 41.1 → 49.3 MiB), its CommonJS build ~1 MiB, and most processes never parse chat XML (a file
// transfer, a relay). The browser build (chat/xml-library.ts) imports it statically.
import type { XmlLibrary } from '../chat/xml-library.js';
import { lazyRequire } from './lazy-require.js';

export type { XmlLibrary } from '../chat/xml-library.js';

let loaded: XmlLibrary | undefined;

/** fast-xml-parser, required synchronously the first time it is needed. */
export function xmlLibrary(): XmlLibrary {
  loaded ??= lazyRequire('fast-xml-parser') as XmlLibrary;
  return loaded;
}
