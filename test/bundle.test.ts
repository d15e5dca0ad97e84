// Issue 12 (memory): the bins, and Node programs that import the packages, run the bundles
// scripts/bundle.js makes (`pnpm build`): a few ES modules where dist/ has ~200, each of
// which Node keeps ~120 KiB of RSS for. A resolve hook refuses dist/'s own modules by name, so
// a run that still loads them fails; RSS itself is too noisy to assert on a shared machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { denyImports } from './helpers/deny-imports.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Modules of dist/ that every unbundled start loads (the bundles' chunks are named chunk-*). */
const UNBUNDLED = ['/connection.js', '/parser.js', '/endpoint.js', '/relay.js', '/send.js'];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'close');
    }
  }
});

/** `node --import <deny UNBUNDLED> args`, from the workspace root; stdout as lines. */
function node(args: readonly string[]): {
  child: ChildProcess;
  lines: AsyncIterator<string>;
  done: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(process.execPath, ['--import', denyImports(UNBUNDLED), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const done = once(child, 'close').then(([code]) => ({ code: code as number | null, stderr }));
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](), done };
}

/** The next stdout line, or the process's stderr in the error when it ends first. */
async function nextLine(p: ReturnType<typeof node>): Promise<string> {
  const line = await Promise.race([p.lines.next(), p.done]);
  if ('stderr' in line) throw new Error(`exited ${line.code}: ${line.stderr}`);
  if (line.done) throw new Error(`stdout ended: ${(await p.done).stderr}`);
  return line.value;
}

const bin = (path: string): string => join(ROOT, 'packages', path);

describe('bundles', { timeout: 60_000 }, () => {
  it('msrp-relay starts and listens from its bundle, and stops on SIGTERM', async () => {
    const relay = node([
      bin('msrp-relay/bin/msrp-relay.js'),
      '--listen',
      'msrp://127.0.0.1:0;tcp',
      '--user',
      'a:b',
    ]);
    expect(await nextLine(relay)).toMatch(/^listening msrp:\/\/127\.0\.0\.1:\d+;tcp$/);
    relay.child.kill('SIGTERM');
    expect((await relay.done).code).toBe(0);
  });

  it('msrp listen and msrp send run from their bundles: a text message arrives', async () => {
    const listen = node([bin('msrp-cli/bin/msrp.js'), 'listen', '--uri', 'msrp://127.0.0.1:0;tcp']);
    const uri = (await nextLine(listen)).replace(/^listening /, '');
    const send = node([bin('msrp-cli/bin/msrp.js'), 'send', '--to', uri, '--text', 'bundled']);
    expect(await send.done).toMatchObject({ code: 0 });
    let line: string;
    do line = await nextLine(listen);
    while (!line.includes('bundled'));
    expect(line).toContain('bundled');
  });

  it('a Node program importing the packages loads their bundles, one class per name in all entries', async () => {
    const program = `
      import * as core from '@msrp-ts/msrp-core';
      import * as internal from '@msrp-ts/msrp-core/internal';
      import * as uri from '@msrp-ts/msrp-core/uri';
      import * as relay from '@msrp-ts/msrp-relay';
      import { createOffer } from '@msrp-ts/sdp-msrp';
      const offer = createOffer({
        localUri: uri.parseUri('msrp://127.0.0.1:2855/s1;tcp'),
        acceptTypes: ['text/plain'],
        file: { mode: 'push', selector: { name: 'a.txt', type: 'text/plain', size: 1 } },
      });
      new relay.Relay({ credentials: new relay.StaticCredentialStore() });
      let parsed;
      try { uri.parseUri('not a uri'); } catch (e) { parsed = e; }
      console.log(JSON.stringify({
        sameError: core.MsrpError === internal.MsrpError,
        // esbuild renames clashing classes (two RelayRegistration); they name themselves.
        names: [internal.RelayRegistration.name, internal.HashTap.name],
        uriError: parsed instanceof core.MsrpError,
        offer: /a=file-transfer-id:[0-9a-f-]{36}/.test(offer),
      }));
    `;
    const p = node(['--input-type=module', '-e', program]);
    const out = await nextLine(p);
    expect(JSON.parse(out)).toEqual({
      sameError: true,
      names: ['RelayRegistration', 'HashTap'],
      uriError: true,
      offer: true,
    });
    expect((await p.done).code).toBe(0);
  });

  it('bundles map back to src/*.ts: with --enable-source-maps a stack names the TypeScript line', async () => {
    const program = `
      import { parseUri } from '@msrp-ts/msrp-core/uri';
      try { parseUri('not a uri'); } catch (e) { console.log(JSON.stringify(e.stack)); }
    `;
    const p = node(['--enable-source-maps', '--input-type=module', '-e', program]);
    const stack = JSON.parse(await nextLine(p)) as string;
    expect(stack).toMatch(/packages\/msrp-core\/src\/wire\/uri\.ts:\d+:\d+/);
    expect(stack).not.toContain('/dist/');
    expect((await p.done).code).toBe(0);
  });

  it('bundles hold no character above U+00FF, which makes V8 keep a whole module source two-byte', async () => {
    // esbuild escapes such characters in strings but keeps comments: one en dash in a comment
    // made msrp-core's 238 KB chunk a 477 KB string in the heap of every process that loads it.
    const bundles = [
      ['msrp-core/dist/bundle', '.js'],
      ['sdp-msrp/dist/bundle', '.js'],
      ['msrp-relay/dist/bundle', '.js'],
      ['msrp-cli/dist', '.bundle.js'],
    ];
    for (const [dir, suffix] of bundles) {
      const path = join(ROOT, 'packages', dir!);
      for (const file of (await readdir(path)).filter((f) => f.endsWith(suffix!)))
        expect(await readFile(join(path, file), 'utf8'), file).not.toMatch(/[\u0100-\u{10ffff}]/u);
    }
  });

  it("bundles without esbuild's keepNames: no __name() around every closure made on a hot path", async () => {
    const dirs = ['msrp-core/dist/bundle', 'sdp-msrp/dist/bundle', 'msrp-relay/dist/bundle'];
    for (const dir of dirs) {
      const path = join(ROOT, 'packages', dir);
      for (const file of (await readdir(path)).filter((f) => f.endsWith('.js')))
        expect(await readFile(join(path, file), 'utf8'), file).not.toContain('__name(');
    }
  });
});
