// The web chat page (index.html), bundled for the browser by the demo server with esbuild: the
// sign-in form, the chat with "is typing…" and ✓/✓✓ on our lines, files with a progress bar
// and a download link. What it does over MSRP is in chat-client.ts.
import { parseUri } from '@msrp-ts/msrp-core/browser';
import type { WebChatConfig } from './api.js';
import { ChatClient, type ChatState, type LineStatus } from './chat-client.js';
import { browser, type PageElement } from './dom.js';
import type { ReceivedFile } from './received-file.js';

const { document, location } = browser;

/** The element of the page with this id (index.html has them all). */
function $(id: string): PageElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id}`);
  return element;
}
const status = $('status');
const messages = $('messages');
const progress = $('progress');
const typing = $('typing');
const TICKS: Record<LineStatus, string> = { delivered: '✓', displayed: '✓✓', failed: '✗' };

/**
 * Adds a line to the chat: `who` in bold (unless it is a system line), then the text in a
 * span that file lines replace as the file progresses.
 */
function show(
  text: string,
  who?: string,
  kind = who === undefined ? 'system' : 'line',
): PageElement {
  const item = document.createElement('li');
  item.className = kind;
  if (who !== undefined) {
    const name = document.createElement('b');
    name.textContent = who;
    item.append(name, ' ');
  }
  const body = document.createElement('span');
  body.append(text);
  item.append(body);
  messages.append(item);
  messages.scrollTop = messages.scrollHeight;
  return item;
}

/** Fills a progress bar (max 1) to `share`. */
function setShare(bar: PageElement, share: number): void {
  bar.setAttribute('value', String(share));
}

/** A size for people: bytes, KiB or MiB. */
function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function showFile(item: PageElement, file: ReceivedFile): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(file.blob);
  link.download = file.name;
  link.textContent = file.name;
  // receiveBlob rejected a file whose bytes differ from the announced hash: this one matched.
  const check = file.checkedHash === undefined ? 'no hash announced' : 'hash checked';
  item.querySelector('span')?.replaceChildren(link, ` (${sizeOf(file.blob.size)}, ${check})`);
  if (file.checkedHash?.toLowerCase().startsWith('sha-256:'))
    item.dataset['sha256'] = file.checkedHash.slice('sha-256:'.length);
  item.dataset['hashMatches'] = String(file.checkedHash !== undefined);
}

/** A line of ours gets the peer's word on it; ✓✓ is not taken back by a late ✓. */
function tick(mark: PageElement | undefined, status: LineStatus): void {
  if (!mark || (mark.dataset['status'] === 'displayed' && status === 'delivered')) return;
  mark.dataset['status'] = status;
  mark.textContent = TICKS[status];
  mark.setAttribute('title', status);
}

/** Shows the peer's lines as displayed (RFC 5438 §7.2) once the tab is visible. */
function displayWhenSeen(client: ChatClient): (id: string) => void {
  const unseen: string[] = [];
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    for (const id of unseen.splice(0)) client.markDisplayed(id);
  });
  return (id) => {
    if (document.visibilityState === 'visible') client.markDisplayed(id);
    else unseen.push(id);
  };
}

function wire(client: ChatClient, config: WebChatConfig): void {
  let receiving: PageElement | undefined;
  const seen = displayWhenSeen(client);
  /** The tick marks of our lines, by id. */
  const marks = new Map<string, PageElement>();
  client.on('state', (state: ChatState, detail) => {
    status.dataset['state'] = state;
    status.textContent = detail;
    const path = client.localPath;
    $('terminal-hint').textContent =
      state === 'waiting' && path
        ? `npx -y pnpm@10 msrp chat --relay '${config.relayTcp}' --user USER --password PASSWORD --to '${path}'`
        : '(shown while this page waits for a peer)';
    if (state === 'chatting' || state === 'reconnecting') show(detail);
    if (state !== 'chatting') typing.hidden = true;
  });
  client.on('line', (who, text, mine, id) => {
    const item = show(text, mine ? 'me' : who);
    item.dataset['id'] = id;
    if (mine) {
      const mark = document.createElement('span');
      mark.className = 'tick';
      item.append(mark);
      marks.set(id, mark);
      return;
    }
    typing.hidden = true;
    seen(id);
  });
  client.on('tick', (id, said) => {
    tick(marks.get(id), said);
    if (said !== 'delivered') marks.delete(id); // the last word on that line
  });
  client.on('composing', (who) => {
    typing.textContent = `${who} is typing…`;
    typing.hidden = false;
  });
  client.on('idle', () => {
    typing.hidden = true;
  });
  client.on('problem', (text) => show(text, undefined, 'problem'));
  client.on('fileStart', (who, name, size) => {
    receiving = show(`${name}: receiving…`, who, 'file');
    receiving.querySelector('span')?.append(document.createElement('progress'));
    if (size !== undefined) receiving.dataset['size'] = String(size);
  });
  client.on('receiving', (bytes, size) => {
    const bar = receiving?.querySelector('progress');
    if (bar && size) setShare(bar, bytes / size);
  });
  client.on('file', (_who, file) => {
    if (receiving) showFile(receiving, file);
    receiving = undefined;
  });
  client.on('sending', ({ bytes, total }) => {
    setShare(progress, total ? bytes / total : 1);
  });
}

/** The chat's forms, which act on the signed-in client. */
function wireForms(current: () => ChatClient | undefined): void {
  $('text').addEventListener('input', () => current()?.typing());
  $('compose').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('text');
    const text = input.value;
    if (text === '') return;
    input.value = '';
    current()
      ?.sendText(text)
      .catch((e: Error) => show(`not sent: ${e.message}`, undefined, 'problem'));
  });
  $('send-file').addEventListener('submit', (event) => {
    event.preventDefault();
    const file = $('file').files?.[0];
    if (!file) return;
    setShare(progress, 0);
    const item = show(`${file.name}: sending ${sizeOf(file.size)}…`, 'me', 'file');
    current()
      ?.sendFile(file)
      .then(
        (delivery) => {
          const sent = `${file.name}: sent ${sizeOf(delivery.bytes)}, ${delivery.hash}`;
          item.querySelector('span')?.replaceChildren(sent);
          item.dataset['sha256'] = delivery.hash.replace(/^sha-256:/, '');
        },
        (e: Error) => show(`${file.name} not sent: ${e.message}`, undefined, 'problem'),
      );
  });
  $('dial').addEventListener('submit', (event) => {
    event.preventDefault();
    const path = $('peer-path').value;
    current()
      ?.connectTo(path)
      .catch((e: Error) => show(e.message, undefined, 'problem'));
  });
}

async function main(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as WebChatConfig;
  const room = new URLSearchParams(location.search).get('room');
  if (room) $('room').value = room;
  let client: ChatClient | undefined;
  wireForms(() => client);
  const form = $('sign-in');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = $('user').value.trim();
    client = new ChatClient({
      relay: parseUri(config.relay),
      username,
      password: $('password').value,
      room: $('room').value.trim() || 'lobby',
      rendezvous: location.origin,
    });
    wire(client, config);
    form.querySelectorAll('input, button').forEach((e) => e.setAttribute('disabled', ''));
    client.start().then(
      () => {
        form.hidden = true;
        $('accounts').hidden = true;
        $('chat').hidden = false;
      },
      (e: Error) => {
        form.querySelectorAll('input, button').forEach((e) => e.removeAttribute('disabled'));
        status.textContent = `sign-in failed: ${e.message}`;
      },
    );
  });
}

main().catch((e: Error) => {
  status.textContent = `cannot start: ${e.message}`;
});
