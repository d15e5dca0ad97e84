// Issue 12 (memory): importing msrp-core on Node does not load fast-xml-parser (~8 MiB of RSS
// as ES modules) nor mime-types (~3 MiB): each is required on first use, by the first chat
// XML document and the first file's Content-Type.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { denyImports } from '../../../test/helpers/deny-imports.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const src = (file: string): string => fileURLToPath(new URL(`../src/${file}`, import.meta.url));

// Run in a process of its own: this one may have loaded both already (other tests).
const PROBE = `
import { createRequire } from 'node:module';
const [index, files] = process.argv.slice(2);
const cache = createRequire(import.meta.url).cache;
const loaded = () => ({
  xml: Object.keys(cache).some((k) => k.includes('/fast-xml-parser/')),
  mime: Object.keys(cache).some((k) => k.includes('/mime-types/')),
});
const core = await import(index);
const { nodeFiles } = await import(files);
const atImport = loaded();
const imdn = core.formatImdn({ kind: 'delivery', status: 'delivered', messageId: 'm1', dateTime: '2026-01-01T00:00:00Z' });
const parsed = core.parseImdn(imdn);
const afterXml = loaded();
const type = nodeFiles.contentTypeOf('photo.png');
console.log(JSON.stringify({ atImport, afterXml, afterMime: loaded(), parsed: parsed.status, type }));
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-footprint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('loads fast-xml-parser with the first chat XML document and mime-types with the first file type', async () => {
  const probe = join(dir, 'probe.mts');
  await writeFile(probe, PROBE);
  const { stdout } = await promisify(execFile)(
    tsx,
    // An ES import of either fails (the hook), a require at run time passes (no hook).
    [
      '--conditions=source',
      '--import',
      denyImports(['fast-xml-parser', 'mime-types']),
      probe,
      src('index.ts'),
      src('node/files.ts'),
    ],
    { timeout: 20_000 },
  );
  expect(JSON.parse(stdout)).toEqual({
    atImport: { xml: false, mime: false },
    afterXml: { xml: true, mime: false },
    afterMime: { xml: true, mime: true },
    parsed: 'delivered',
    type: 'image/png',
  });
});
