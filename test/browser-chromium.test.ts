// Issue 10: the browser entry in a real headless Chromium (Debian's, through playwright-core).
// A Node http server serves a chat page and the browser entry bundled by esbuild; the page's
// Endpoint dials a ws WebSocketServer whose connections go to a Node Endpoint through wsStream
// (RFC 7977). Chat both ways, a 20 MiB File from the page, a 2 MiB message to it; a screenshot
// of the page is saved under test-artifacts/. And a stream the page destroys closes with a code
// a browser lets scripts send, 1000, so that the peer does not see 1005 (no status).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Endpoint,
  formatHash,
  formatUri,
  wsStream,
  type IncomingMessage,
} from '@msrp-ts/msrp-core';
import { within } from '../packages/msrp-core/test/helpers/within.js';
import { wsServer, wsUri } from '../packages/msrp-core/test/helpers/ws-server.js';
import type { ChatPageResult } from './browser/chat-page.js';
import { launchChromium } from './helpers/chromium.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const FILE_BYTES = 20 * 1024 * 1024;
const BIG_BYTES = 2 * 1024 * 1024;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>msrp-ts chat</title>
<style>body{font:16px sans-serif;margin:2em}p{margin:.3em 0;word-break:break-all}b{display:inline-block;width:6em}</style>
<script>
globalThis.say = (who, text) => {
  const line = document.createElement('p');
  line.innerHTML = '<b></b><span></span>';
  line.firstChild.textContent = who;
  line.lastChild.textContent = text;
  document.getElementById('chat').append(line);
};
</script>
<script type="module" src="/chat-page.js"></script></head>
<body><h1>MSRP over WebSocket (RFC 7977)</h1><div id="chat"></div></body></html>`;

/** The page and its script, on 127.0.0.1 (port 0). */
async function pageServer(script: Uint8Array): Promise<string> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/chat-page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else {
      response.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** The same deterministic bytes as the page's File, made here independently. */
function pattern(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

const sha256 = (bytes: Uint8Array): string =>
  formatHash(createHash('sha256').update(bytes).digest());

async function next(inbox: AsyncIterator<IncomingMessage>): Promise<IncomingMessage> {
  const result = await inbox.next();
  if (result.done === true) throw new Error('The session closed before the next message');
  return result.value;
}

describe('the browser entry in headless Chromium', () => {
  it('chats, sends a 20 MiB File and reads a 2 MiB stream over a WebSocket to a Node endpoint', async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/chat-page.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const url = await pageServer(bundle.outputFiles[0]!.contents);

    const dir = await mkdtemp(join(tmpdir(), 'msrp-chromium-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const node = new Endpoint();
    cleanups.push(() => node.close());
    const ws = await wsServer((socket) => node.acceptConnection(wsStream(socket)));
    cleanups.push(() => ws.close());
    const session = node.createSession({ localUri: wsUri(ws.port, 'node1') });
    session.accept();

    // The Node side: answer the line, save the File and report its hash, send 2 MiB.
    const big = pattern(BIG_BYTES).reverse();
    const nodeSide = (async () => {
      const inbox = session[Symbol.asyncIterator]();
      const hello = (await next(inbox)).text();
      await session.send('Hi Chromium, this is Node.');
      const file = await next(inbox);
      const saved = await file.saveTo(join(dir, 'received.bin'));
      const savedSha256 = sha256(await readFile(saved.path));
      await session.send(`saved ${saved.bytes} sha-256:${savedSha256}`);
      const delivery = await session.sendFile(new Blob([big]), { name: 'big.bin' });
      return { hello, file, saved, savedSha256, delivery };
    })();
    nodeSide.catch(() => undefined);

    const chromium = await launchChromium();
    cleanups.push(() => chromium.close());
    const { page } = chromium;
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
    await page.waitForFunction('globalThis.chatPage !== undefined', undefined, { timeout: 10_000 });
    const result = await page.evaluate<ChatPageResult>(
      `globalThis.chatPage.run(${JSON.stringify(formatUri(session.localUri))}, ${FILE_BYTES})`,
    );
    const { hello, file, saved, savedSha256, delivery } = await nodeSide;
    // Saved before the assertions, so that a failing run leaves its picture too.
    await mkdir(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, 'browser-chromium-chat.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`chat page screenshot: ${screenshot}`);

    const fileSha256 = sha256(pattern(FILE_BYTES));
    expect(hello).toBe('Hello Node, this is Chromium.');
    expect(file.filename).toBe('pattern.bin');
    expect(saved).toMatchObject({
      bytes: FILE_BYTES,
      hash: `sha-256:${fileSha256}`,
      hashMatches: true,
    });
    expect(saved.announcedHash).toBe(`sha-256:${fileSha256}`);
    expect(savedSha256).toBe(fileSha256);
    expect(result).toEqual({
      reply: 'Hi Chromium, this is Node.',
      fileBytes: FILE_BYTES,
      sentSha256: fileSha256,
      report: `saved ${FILE_BYTES} sha-256:${fileSha256}`,
      bigBytes: BIG_BYTES,
      blobBytes: BIG_BYTES,
      bigSha256: sha256(big),
      bigAnnouncedHash: `sha-256:${sha256(big)}`,
    });
    expect(delivery.hash).toBe(`sha-256:${sha256(big)}`);
    expect(pageErrors).toEqual([]);

    const lines = await page.locator('#chat p').allTextContents();
    expect(lines).toHaveLength(5);
  }, 30_000);
});

describe("webSocketStream.destroy() in headless Chromium: the peer sees the browser's close", () => {
  it('1000 without an error, 1000 and its message as reason with one; never 1005', async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/close-page.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    type Close = { code: number; reason: string };
    let nextClose: (close: Close) => void = () => undefined;
    const ws = await wsServer((socket) =>
      socket.on('close', (code, reason) => nextClose({ code, reason: reason.toString() })),
    );
    cleanups.push(() => ws.close());
    const chromium = await launchChromium();
    cleanups.push(() => chromium.close());
    const { page } = chromium;
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const url = JSON.stringify(`ws://127.0.0.1:${ws.port}/`);
    const closes: Close[] = [];
    // A long message: the reason is cut to what a close frame holds, 123 bytes.
    for (const message of [undefined, 'gone away', 'é'.repeat(100)]) {
      const closed = new Promise<Close>((resolve) => (nextClose = resolve));
      const args = message === undefined ? url : `${url}, ${JSON.stringify(message)}`;
      await page.evaluate(`globalThis.closePage.destroyOpen(${args})`);
      closes.push(await within(closed, 5000, 'the server seeing the close'));
    }
    expect(closes).toEqual([
      { code: 1000, reason: '' },
      { code: 1000, reason: 'gone away' },
      { code: 1000, reason: 'é'.repeat(61) },
    ]);
  }, 30_000);
});
