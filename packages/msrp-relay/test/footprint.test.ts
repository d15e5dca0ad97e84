// What importing the relay loads: a relay without metrics does not pay for prom-client, one
// without a credential database not for pg (~14 MiB of RSS, issue 12).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { denyImports } from '../../../test/helpers/deny-imports.js';
import { onCleanup } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));

// Run in a process of its own: this one has loaded prom-client already (other tests).
const PROBE = `
import { createRequire } from 'node:module';
const relay = await import(process.argv[2]);
const loaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/prom-client/'));
const before = loaded();
relay.createRelayMetrics(new relay.Relay({ credentials: new relay.StaticCredentialStore() }));
console.log(JSON.stringify({ before, after: loaded() }));
`;

// pg's modules by their path: its siblings (pg-pool, pg-protocol) are /pg-*/.
const PG_PROBE = `
import { createRequire } from 'node:module';
const relay = await import(process.argv[2]);
const loaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/pg/'));
const before = loaded();
const store = new relay.PgCredentialStore({ connectionString: 'postgres://127.0.0.1:1/none' });
const after = loaded();
await store.close();
console.log(JSON.stringify({ before, after }));
`;

// Node's built-in modules a relay listening on TCP only loads beyond what msrp-core's
// internal entry does (the TCP listener's own, cluster and dns, come with net's listen).
const BUILTINS_PROBE = `
const builtins = () => process.moduleLoadList.filter((m) => m.startsWith('NativeModule '));
await import(process.argv[2].replace('/msrp-relay/src/index.ts', '/msrp-core/src/internal.ts'));
const before = new Set(builtins());
const relay = await import(process.argv[2]);
const r = new relay.Relay({ credentials: new relay.StaticCredentialStore() });
await r.listen({ host: '127.0.0.1', port: 0 });
await r.close(100);
console.log(JSON.stringify(builtins().filter((m) => !before.has(m)).map((m) => m.slice(13))));
`;

/** Runs `source` in a tsx process of its own (with `flags` before it) on the relay's index. */
async function probe(source: string, flags: string[] = []): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-relay-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'probe.mts');
  await writeFile(file, source);
  const { stdout } = await promisify(execFile)(tsx, [...flags, file, index], { timeout: 20_000 });
  return JSON.parse(stdout);
}

describe('import footprint', () => {
  it('loads pg with the first PgCredentialStore, not with the relay', async () => {
    // An ES import of pg fails (the hook); a require on first use passes (no hook).
    const flags = ['--conditions=source', '--import', denyImports(['pg'])];
    expect(await probe(PG_PROBE, flags)).toEqual({ before: false, after: true });
  });

  it('loads prom-client with the first metrics registry, not with the relay', async () => {
    expect(await probe(PROBE)).toEqual({ before: false, after: true });
  });

  it('loads msrp-core through its internal entry only: not the root, with its chat codecs', async () => {
    // The root entry (~7 MiB of memory more than /internal) and the XML parser it brings.
    const denied = ['@msrp-ts/msrp-core', 'fast-xml-parser'];
    const flags = ['--conditions=source', '--import', denyImports(denied)];
    expect(await probe(PROBE, flags)).toEqual({ before: false, after: true });
  });

  it('loads no TLS, HTTP(S), WebSocket, worker or inspector modules for a TCP-only relay', async () => {
    // Each is file-backed RSS of the node binary (tls 1.9 MiB, http 1.8, worker_threads 1.2):
    // loaded on first use, by a TLS or WebSocket listener, an admin server, a certificate reload.
    const added = (await probe(BUILTINS_PROBE, ['--conditions=source'])) as string[];
    const unwanted = ['tls', '_tls_wrap', 'http', 'https', '_http_server', 'worker_threads'];
    expect(added.filter((m) => unwanted.includes(m) || m.startsWith('internal/worker'))).toEqual(
      [],
    );
    expect(
      added.filter((m) => ['inspector', 'perf_hooks', 'zlib', 'fs/promises'].includes(m)),
    ).toEqual([]);
  });
});
