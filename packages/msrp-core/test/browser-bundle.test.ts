// Issue 9 §1: the browser entry bundles for the browser with no Node built-in, and what it
// bundles runs with Node's globals (Buffer, process, setImmediate) taken away.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from './browser/scenario.js';

const src = (file: string): string => fileURLToPath(new URL(`../src/${file}`, import.meta.url));
const browser = {
  // Inputs are named from the repository root, wherever vitest was started.
  absWorkingDir: fileURLToPath(new URL('../../..', import.meta.url)),
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  write: false,
  metafile: true,
  logLevel: 'silent',
} as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-browser-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the browser entry (@msrp-ts/msrp-core/browser)', () => {
  it('bundles with esbuild --platform=browser, with nothing of src/node/ in it', async () => {
    const result = await build({ ...browser, entryPoints: [src('browser.ts')], minify: true });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('msrp-core/src/browser/noble-hasher.ts'))).toBe(
      true,
    );
    // RFC 7977: the browser's transport, the WebSocket stream and dialer, is in it, ws is not.
    expect(inputs.some((input) => input.includes('msrp-core/src/browser/websocket-dial.ts'))).toBe(
      true,
    );
    expect(inputs.filter((input) => /src\/node\/|mime-types|mime-db|\/ws\//.test(input))).toEqual(
      [],
    );
    const code = result.outputFiles[0]!.contents;
    console.log(
      `browser entry: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(code).length / 1024).toFixed(1)} KiB gzipped`,
    );
  }, 30_000);

  it('leaves out what an app does not import: an Endpoint alone carries no XML parser', async () => {
    // `"sideEffects": false` lets bundlers drop the chat codecs and fast-xml-parser with them.
    const app = join(dir, 'app.ts');
    await writeFile(
      app,
      `import { Endpoint } from ${JSON.stringify(src('browser.ts'))};\nconsole.log(new Endpoint());\n`,
    );
    const result = await build({ ...browser, entryPoints: [app], minify: true });
    // Every imported file is an input; what matters is which ones put bytes in the output.
    const [output] = Object.values(result.metafile.outputs);
    const inOutput = Object.entries(output!.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([input]) => input);
    expect(inOutput.some((input) => input.includes('msrp-core/src/endpoint/'))).toBe(true);
    expect(inOutput.filter((input) => /fast-xml|src\/chat\/|uuid/.test(input))).toEqual([]);
    const code = result.outputFiles[0]!.contents;
    console.log(
      `Endpoint alone: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(code).length / 1024).toFixed(1)} KiB gzipped`,
    );
  }, 30_000);

  it('refuses, the same way, an entry that reaches Node (the Node entry)', async () => {
    const failed = build({ ...browser, entryPoints: [src('index.ts')] });
    const error = (await failed.catch((e: unknown) => e)) as { errors?: { text: string }[] };
    expect(error.errors?.some((e) => /node:(net|fs|crypto|tls)/.test(e.text))).toBe(true);
  }, 30_000);

  it('runs two endpoints, chat both ways and a File received into a Blob (hash checked), without Node globals', async () => {
    const bundle = await build({
      ...browser,
      entryPoints: [fileURLToPath(new URL('./browser/scenario.ts', import.meta.url))],
    });
    const scenario = join(dir, 'scenario.mjs');
    await writeFile(scenario, bundle.outputFiles[0]!.contents);
    const runner = join(dir, 'run.mjs');
    await writeFile(
      runner,
      `for (const name of ['Buffer', 'process', 'setImmediate', 'clearImmediate', 'global', 'require']) {
  Object.defineProperty(globalThis, name, { value: undefined, configurable: true, writable: true });
}
const { run } = await import(${JSON.stringify(pathToFileURL(scenario).href)});
// A page runs on; Node ends once only unref'd timers are left, as the in-memory connections'
// closing timers are (endpoint.close() waits for them): keep it running until the end.
const running = setInterval(() => undefined, 1000);
console.log(JSON.stringify(await run()));
clearInterval(running);
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, [runner], { timeout: 20_000 });
    const result = JSON.parse(stdout) as ScenarioResult;

    const content = new Uint8Array(2 * 1024 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31 + 7) & 0xff;
    const sha256 = createHash('sha256')
      .update(content)
      .digest('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1:');
    expect(result).toEqual({
      text: 'Hello Bob!',
      reply: 'Hi Alice!',
      fileName: 'pattern.bin',
      fileBytes: content.length,
      blobBytes: content.length,
      sentSha256: sha256,
      receivedSha256: sha256,
      announcedHash: `sha-256:${sha256}`,
      blobType: 'application/octet-stream',
      mismatch: 'MSRP_ERR_HASH_MISMATCH',
    });
  }, 30_000);
});
