// Issue 12 (memory): importing msrp-core on Node does not load fast-xml-parser (~8 MiB of RSS
// as ES modules) nor mime-types (~3 MiB): each is required on first use, by the first chat
// XML document and the first file's Content-Type. The uuid package (20 ES modules) is not
// loaded at all: IMDN Message-IDs come from wire/uuid-v4.ts.
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
const imdnId = core.newImdnMessageId();
const afterXml = loaded();
const type = nodeFiles.contentTypeOf('photo.png');
console.log(JSON.stringify({ atImport, afterXml, afterMime: loaded(), parsed: parsed.status, type, imdnId }));
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-footprint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('loads fast-xml-parser with the first chat XML document and mime-types with the first file type, uuid never', async () => {
  const probe = join(dir, 'probe.mts');
  await writeFile(probe, PROBE);
  const { stdout } = await promisify(execFile)(
    tsx,
    // An ES import of any fails (the hook), a require at run time passes (no hook).
    [
      '--conditions=source',
      '--import',
      denyImports(['fast-xml-parser', 'mime-types', 'uuid']),
      probe,
      src('index.ts'),
      src('node/files.ts'),
    ],
    { timeout: 20_000 },
  );
  const { imdnId, ...rest } = JSON.parse(stdout) as { imdnId: string };
  expect(imdnId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(rest).toEqual({
    atImport: { xml: false, mime: false },
    afterXml: { xml: true, mime: false },
    afterMime: { xml: true, mime: true },
    parsed: 'delivered',
    type: 'image/png',
  });
});
