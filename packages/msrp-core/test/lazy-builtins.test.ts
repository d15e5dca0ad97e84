// Issue 12 (memory, start-up): the Node entry loads the built-ins that only some paths need on
// first use (process.getBuiltinModule), not at import. Each is file-backed RSS of the node
// binary in every process that loads it (tls 1.9 MiB, worker_threads 1.2, ...): a TCP peer
// that sends and saves a file never loads tls or worker_threads, and TLS and the worker
// hasher still work once used. Runs the bundle (what Node importers and the bins load) in a
// process of its own, as this one has loaded everything already.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, expect, it } from 'vitest';

const bundle = fileURLToPath(new URL('../dist/bundle/index.js', import.meta.url));

/** Built-ins (as process.moduleLoadList names them) that a TCP peer must not load. */
const LAZY = ['tls', '_tls_wrap', 'worker_threads', 'internal/worker'];

const PROBE = `
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
const [bundle, dir] = process.argv.slice(2);
const loaded = () =>
  process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
const before = new Set(loaded());
const core = await import(bundle);
const { Endpoint, workerHasher } = core;
const atImport = loaded().filter((m) => !before.has(m));

// TCP: a text and a file, sent with sendFile and saved with saveTo (hashed both ways).
const bob = new Endpoint();
await bob.listen({ host: '127.0.0.1', port: 0 });
const bobSession = bob.createSession();
bobSession.accept();
const alice = new Endpoint();
const aliceSession = alice.createSession();
await aliceSession.connect([bobSession.localUri]);
const inbox = bobSession[Symbol.asyncIterator]();
await aliceSession.send('hello');
const text = (await inbox.next()).value.text();
const data = Buffer.alloc(300_000, 7);
await writeFile(join(dir, 'in.bin'), data);
const sent = aliceSession.sendFile(join(dir, 'in.bin'));
const file = (await inbox.next()).value;
const saved = await file.saveTo(join(dir, 'out.bin'));
await sent;
const same = (await readFile(join(dir, 'out.bin'))).equals(data);
await alice.close();
await bob.close();
const afterTcp = loaded().filter((m) => !before.has(m));

// TLS, pinned by fingerprint: tls loads now.
const cert = await readFile(join(dir, 'cert.pem'), 'utf8');
const key = await readFile(join(dir, 'key.pem'), 'utf8');
const carol = new Endpoint();
await carol.listen({ host: '127.0.0.1', port: 0, tls: { cert, key } });
const carolSession = carol.createSession();
carolSession.accept();
const dave = new Endpoint({ tls: { fingerprint: core.certificateFingerprint(cert) } });
const daveSession = dave.createSession();
await daveSession.connect([carolSession.localUri]);
const tlsInbox = carolSession[Symbol.asyncIterator]();
await daveSession.send('over tls');
const tlsText = (await tlsInbox.next()).value.text();
await dave.close();
await carol.close();

// The worker hasher, used directly (a 2-core machine's endpoint never starts it).
const bytes = Buffer.alloc(1024 * 1024, 3);
const hasher = workerHasher('sha-256');
hasher.update(bytes);
const digest = Buffer.from(await hasher.finish()).toString('hex');
const expected = createHash('sha256').update(bytes).digest('hex');
const afterAll = loaded();
console.log(JSON.stringify({
  atImport, afterTcp, text, hashMatches: saved.hashMatches, same, tlsScheme: carolSession.localUri.scheme,
  tlsText, digestMatches: digest === expected, afterAll,
}));
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-lazy-builtins-'));
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 3600 * 1000),
  });
  await writeFile(join(dir, 'cert.pem'), pems.cert);
  await writeFile(join(dir, 'key.pem'), pems.private);
  await writeFile(join(dir, 'probe.mjs'), PROBE);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a TCP peer sends and saves a file without loading tls or worker_threads; both load and work when used', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(dir, 'probe.mjs'), bundle, dir],
    { timeout: 30_000 },
  );
  const result = JSON.parse(stdout) as {
    atImport: string[];
    afterTcp: string[];
    afterAll: string[];
    [key: string]: unknown;
  };
  const { atImport, afterTcp, afterAll: all, ...rest } = result;
  expect(rest).toEqual({
    text: 'hello',
    hashMatches: true,
    same: true,
    tlsScheme: 'msrps',
    tlsText: 'over tls',
    digestMatches: true,
  });
  for (const name of LAZY) {
    expect(atImport).not.toContain(name);
    expect(afterTcp).not.toContain(name);
  }
  // Not even crypto at import: the first hash or random id loads it.
  expect(atImport).not.toContain('crypto');
  expect(all).toEqual(expect.arrayContaining(['tls', 'worker_threads']));
});
