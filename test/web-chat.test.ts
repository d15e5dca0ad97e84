// Issue 10: the web chat (examples/web-chat, `pnpm demo:web`) in a real headless Chromium. The
// demo's server code runs in-process on 127.0.0.1 port 0; the example page itself is driven
// through its form fields and buttons: two pages chat through the relay over WebSocket and send
// a 20 MiB file (hash checked); a page chats with a Node endpoint that reaches the relay over
// TCP; pages sign in again after the relay restarts; typing shows, our lines get ✓ and ✓✓
// (CPIM with IMDN, is-composing). A screenshot goes to test-artifacts/.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chat, Endpoint, formatUri, nextEvent } from '@msrp-ts/msrp-core';
import { startWebChat, type WebChat } from '../examples/web-chat/server.js';
import { launchChromium, type HeadlessChromium } from './helpers/chromium.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts/');
const FILE_BYTES = 20 * 1024 * 1024;

let chat: WebChat;
let chromium: HeadlessChromium;
let dir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-web-chat-test-'));
  chat = await startWebChat();
  chromium = await launchChromium();
}, 30_000);

afterAll(async () => {
  await chromium?.close();
  await chat?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const password = (username: string): string =>
  chat.users.find((u) => u.username === username)!.password;

/** A new tab of the browser with the chat page, signed in as `username` in `room`. */
async function signIn(username: string, room: string): Promise<Page> {
  const page = await chromium.page.context().newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${chat.url}?room=${room}`);
  await page.fill('#user', username);
  await page.fill('#password', password(username));
  await page.click('#sign-in-button');
  await page.locator('#chat').waitFor({ state: 'visible', timeout: 10_000 });
  return page;
}

async function waitForState(page: Page, state: string, timeout = 10_000): Promise<void> {
  await page.waitForSelector(`#status[data-state="${state}"]`, { timeout });
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

/** Waits until `page` shows the chat line `text` from `who`. */
async function heard(page: Page, who: string, text: string): Promise<void> {
  await page
    .locator('#messages li.line', { hasText: `${who} ${text}` })
    .waitFor({ timeout: 10_000 });
}

/** Byte i is (i * 31 + 7) mod 256, with the index mixed in so that a moved chunk shows. */
function pattern(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7 + (i >>> 16)) & 0xff;
  return bytes;
}

const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256')
    .update(bytes)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');

/** The tick of our line `text` on `page` once it reads `tick` (✓ delivered, ✓✓ displayed). */
async function ticked(page: Page, text: string, tick: string): Promise<void> {
  await page
    .locator('#messages li.line', { hasText: `me ${text}` })
    .locator('.tick', { hasText: new RegExp(`^${tick}$`) })
    .waitFor({ timeout: 10_000 });
}

/** Makes the page's tab look hidden or visible (document.visibilityState), as a tab switch. */
async function setVisible(page: Page, visible: boolean): Promise<void> {
  await page.evaluate(`(() => {
    Object.defineProperty(document, 'visibilityState', {
      value: ${visible ? "'visible'" : "'hidden'"},
      configurable: true,
    });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);
}

/** Resolves once `child` has written `text` on stdout; rejects after `timeout` ms. */
function printed(
  child: ChildProcessWithoutNullStreams,
  text: string,
  timeout = 10_000,
  stream: 'stdout' | 'stderr' = 'stdout',
) {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" in: ${output}`)), timeout);
    child[stream].setEncoding('utf8').on('data', (piece: string) => {
      output += piece;
      if (output.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

describe('the web chat in headless Chromium', () => {
  it('two pages chat both ways and send a 20 MiB file through the relay, hash checked', async () => {
    const alice = await signIn('alice', 'files');
    await waitForState(alice, 'waiting');
    const bob = await signIn('bob', 'files');
    await Promise.all([waitForState(alice, 'chatting'), waitForState(bob, 'chatting')]);

    await say(alice, 'Hi Bob, this goes through the relay over WebSocket.');
    await heard(bob, 'alice', 'Hi Bob, this goes through the relay over WebSocket.');
    await say(bob, 'Hi Alice! Send me the file.');
    await heard(alice, 'bob', 'Hi Alice! Send me the file.');
    // Ours are shown as "me".
    await heard(alice, 'me', 'Hi Bob, this goes through the relay over WebSocket.');

    const content = pattern(FILE_BYTES);
    const path = join(dir, 'pattern.bin');
    await writeFile(path, content);
    await alice.setInputFiles('#file', path);
    await alice.click('#send-file-button');
    const received = bob.locator('#messages li.file a[download]');
    await received.waitFor({ timeout: 60_000 });
    const sent = alice.locator('#messages li.file[data-sha256]');
    await sent.waitFor({ timeout: 10_000 });

    // The bytes of the download link, hashed in the page by Web Crypto (not by the chat).
    const linkSha256 = await bob.evaluate<{ size: number; hex: string[] }>(`(async () => {
      const link = document.querySelector('#messages li.file a[download]');
      const bytes = await (await fetch(link.href)).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      return { size: bytes.byteLength, hex: [...digest].map((b) => b.toString(16).padStart(2, '0')) };
    })()`);
    const expected = sha256(content);
    expect(linkSha256.size).toBe(FILE_BYTES);
    expect(linkSha256.hex.join(':').toUpperCase()).toBe(expected);
    expect(await received.textContent()).toBe('pattern.bin');
    expect(await received.getAttribute('download')).toBe('pattern.bin');
    const item = bob.locator('#messages li.file');
    expect(await item.getAttribute('data-sha256')).toBe(expected);
    expect(await item.getAttribute('data-hash-matches')).toBe('true');
    expect(await sent.getAttribute('data-sha256')).toBe(expected);
    expect(Number(await alice.locator('#progress').getAttribute('value'))).toBe(1);
    expect(pageErrors).toEqual([]);

    // Bob closes his tab; MSRP has no BYE, so alice learns it from the relay's failure REPORT
    // (481) about her next line, and waits for a peer again.
    await bob.close();
    await say(alice, 'Bob?');
    await waitForState(alice, 'waiting');
    await alice.locator('#messages li.problem', { hasText: 'bob has gone' }).waitFor();
    await alice.close();
  }, 90_000);

  it('shows "is typing…" and ✓ then ✓✓ on our lines between two pages', async () => {
    const alice = await signIn('alice', 'typing');
    await waitForState(alice, 'waiting');
    const bob = await signIn('bob', 'typing');
    await Promise.all([waitForState(alice, 'chatting'), waitForState(bob, 'chatting')]);
    const bobTyping = bob.locator('#typing');
    const aliceTyping = alice.locator('#typing');
    expect(await bobTyping.isHidden()).toBe(true);

    // Bob's tab is in the background: he gets alice's line (✓) but has not seen it yet.
    await setVisible(bob, false);
    await alice.fill('#text', 'Are you there?'); // input events: alice is typing
    await bob.locator('#typing', { hasText: 'alice is typing…' }).waitFor({ timeout: 10_000 });
    await alice.press('#text', 'Enter');
    await heard(bob, 'alice', 'Are you there?');
    await bobTyping.waitFor({ state: 'hidden', timeout: 10_000 });
    await ticked(alice, 'Are you there?', '✓');
    // Bob comes back to the tab: now alice's line is displayed.
    await setVisible(bob, true);
    await ticked(alice, 'Are you there?', '✓✓');

    // Bob answers, seen at once by alice (her tab is visible): ✓✓ on his line.
    await say(bob, 'Yes!');
    await heard(alice, 'bob', 'Yes!');
    await ticked(bob, 'Yes!', '✓✓');
    await bob.fill('#text', 'One more thing');
    await alice.locator('#typing', { hasText: 'bob is typing…' }).waitFor({ timeout: 10_000 });
    await mkdir(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, 'web-chat.png');
    await alice.screenshot({ path: screenshot, fullPage: true });
    console.log(`web chat screenshot: ${screenshot}`);
    await bob.press('#text', 'Enter');
    await heard(alice, 'bob', 'One more thing');
    await aliceTyping.waitFor({ state: 'hidden', timeout: 10_000 });
    expect(pageErrors).toEqual([]);
    await Promise.all([alice.close(), bob.close()]);
  }, 30_000);

  it('refuses a wrong password and keeps the sign-in form', async () => {
    const page = await chromium.page.context().newPage();
    await page.goto(chat.url);
    await page.fill('#user', 'alice');
    await page.fill('#password', 'not-her-password');
    await page.click('#sign-in-button');
    await page.locator('#status', { hasText: 'sign-in failed' }).waitFor({ timeout: 10_000 });
    expect(await page.textContent('#status')).toMatch(/refused the credentials of alice/);
    expect(await page.isVisible('#sign-in')).toBe(true);
    expect(await page.isHidden('#chat')).toBe(true);
    expect(await page.isEnabled('#sign-in-button')).toBe(true);
    await page.close();
  });

  it('a page chats with a Node endpoint that reaches the relay over TCP', async () => {
    const node = new Endpoint({
      relays: [{ uri: chat.relay.tcp, username: 'carol', password: password('carol') }],
    });
    try {
      await node.authenticate();
      const session = node.createSession();
      session.accept();
      const chat = new Chat(session, { cpim: true });

      const page = await signIn('alice', 'terminal');
      await waitForState(page, 'waiting');
      // What a person pastes from `msrp listen --relay`: the path it printed.
      await page.click('#chat details summary');
      await page.fill('#peer-path', session.localPath.map(formatUri).join(' '));
      await page.click('#dial-button');
      await waitForState(page, 'chatting');

      // The page speaks CPIM; the Node side's Chat reads it and answers ✓ (delivered).
      const received = nextEvent(chat, 'message');
      await say(page, 'Hello Node, from a page.');
      const [message] = await received;
      expect(message.text).toBe('Hello Node, from a page.');
      expect(message.cpim).toBeDefined();
      await ticked(page, 'Hello Node, from a page.', '✓');
      expect(await chat.markDisplayed(message)).toBe(true);
      await ticked(page, 'Hello Node, from a page.', '✓✓');
      // Bare text (no CPIM) shows too, as from `msrp chat --plain`.
      await session.send('Hello page, from Node over TCP.');
      await heard(page, 'peer', 'Hello page, from Node over TCP.');
      // ...and the page answers a bare-text peer in bare text.
      const answer = nextEvent(chat, 'message');
      await say(page, 'Bare back.');
      expect((await answer)[0]).toMatchObject({ text: 'Bare back.', cpim: undefined });
      chat.close();
      expect(pageErrors).toEqual([]);
      await page.close();
    } finally {
      await node.close();
    }
  }, 30_000);

  it('a page chats with `msrp chat` run as the page says while it waits', async () => {
    const page = await signIn('alice', 'cli');
    await waitForState(page, 'waiting');
    const hint = (await page.textContent('#terminal-hint')) ?? '';
    const relay = /--relay '([^']+)'/.exec(hint)?.[1];
    const to = /--to '([^']+)'/.exec(hint)?.[1];
    expect(relay).toBe(formatUri(chat.relay.tcp));
    expect(hint).toMatch(/^npx -y pnpm@10 msrp chat --relay '[^']+' --user USER --password /);
    const cli = spawn(
      join(ROOT, 'node_modules/.bin/tsx'),
      [
        ...['--conditions=source', 'packages/msrp-cli/src/msrp.ts', 'chat', '--relay', relay!],
        // As the hint says: CPIM, which the page reads through its Chat.
        ...['--user', 'carol', '--password', password('carol'), '--to', to!],
      ],
      { cwd: ROOT },
    );
    // The page shows our line in a visible tab: the terminal gets ✓ and ✓✓ (RFC 5438).
    const read = printed(cli, '✓✓ read: Hello from a terminal', 10_000, 'stderr');
    cli.stdin.write('Hello from a terminal\n');
    try {
      const reply = printed(cli, '< Hello terminal, from a page');
      await heard(page, 'peer', 'Hello from a terminal');
      await say(page, 'Hello terminal, from a page');
      await reply;
      await read;
    } finally {
      cli.stdin.end();
      cli.kill();
    }
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 30_000);

  it('pages sign in again after the relay restarts, and chat again', async () => {
    const alice = await signIn('alice', 'restart');
    await waitForState(alice, 'waiting');
    const bob = await signIn('bob', 'restart');
    await Promise.all([waitForState(alice, 'chatting'), waitForState(bob, 'chatting')]);
    await say(alice, 'before the restart');
    await heard(bob, 'alice', 'before the restart');

    const { ws, tcp } = chat.relay;
    // Watched from before the restart: the pages may sign in again soon after it.
    const lost = Promise.all([
      waitForState(alice, 'reconnecting'),
      waitForState(bob, 'reconnecting'),
    ]);
    await chat.restartRelay();
    expect(chat.relay.ws.port).toBe(ws.port);
    expect(chat.relay.tcp.port).toBe(tcp.port);
    await lost;
    await Promise.all([
      waitForState(alice, 'chatting', 20_000),
      waitForState(bob, 'chatting', 20_000),
    ]);

    await say(bob, 'after the restart, from bob');
    await heard(alice, 'bob', 'after the restart, from bob');
    await say(alice, 'after the restart, from alice');
    await heard(bob, 'alice', 'after the restart, from alice');
    expect(pageErrors).toEqual([]);
    await Promise.all([alice.close(), bob.close()]);
  }, 45_000);
});
