// `msrp listen` stopped (SIGTERM) when a file's last chunk has come but is not confirmed yet
// (it is being written and checked): the file was saved, yet the session closed under that
// chunk, never confirming it, so its sender exited 3 and a rerun stored a second copy, name-1.
// The sender here is a bare socket, so that the test knows when the chunk is with the
// listener: the listener is stopped (SIGSTOP) while it arrives, and gets SIGTERM before it
// goes on; libuv hands it the socket's data before the signal.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseUri } from '@msrp-ts/msrp-core';
import { FILE_OFFER_TYPE, formatFileOffer, type FileOfferBody } from '../src/file-offer.js';
import { start, tempDir } from './cli-process.js';

const SIZE = 64 * 1024;
const HALF = SIZE / 2;
const FROM = 'msrp://127.0.0.1:9/bare;tcp';

/** An MSRP peer on a bare socket: what it has read, and 200 to every SEND it is sent. */
class BarePeer {
  text = '';
  readonly #wake = new Set<() => void>();
  #answered = 0;
  readonly #sends = /^MSRP (\S+) SEND\r\nTo-Path: \S+\r\nFrom-Path: (\S+)\r\n/gm;

  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1').on('data', (data: string) => {
      this.text += data;
      // From where the last one ended: a request's head may come in two reads.
      this.#sends.lastIndex = this.#answered;
      for (let m; (m = this.#sends.exec(this.text)); this.#answered = this.#sends.lastIndex) {
        socket.write(
          `MSRP ${m[1]} 200 OK\r\nTo-Path: ${m[2]}\r\nFrom-Path: ${FROM}\r\n-------${m[1]}$\r\n`,
        );
      }
      for (const wake of this.#wake) wake();
    });
    socket.on('close', () => {
      for (const wake of this.#wake) wake();
    });
  }

  async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const match = pattern.exec(this.text);
      if (match) return match;
      if (this.socket.closed) throw new Error(`closed before ${pattern}: ${this.text}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#wake.delete(wake);
          resolve();
        };
        this.#wake.add(wake);
      });
    }
  }
}

/** Whether process `pid` is stopped (Linux: the state in /proc/PID/stat). */
async function isStopped(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return /\) [tT] /.test(stat);
}

it('a file whose last chunk came before SIGTERM is confirmed, not answered 481 and saved all the same', async ({
  onTestFinished,
}) => {
  const out = await tempDir(onTestFinished, 'msrp-stop-at-end-');
  const bytes = randomBytes(SIZE);
  const offer: FileOfferBody = {
    transferId: 'bare-transfer',
    name: 'doc.bin',
    size: SIZE,
    modified: 'Mon, 30 Nov 2026 02:30:16 +0000',
  };
  const listener = start(onTestFinished, [
    'listen',
    '--uri',
    'msrp://127.0.0.1:0/end;tcp',
    '--out',
    out,
  ]);
  // Should the test fail while the listener is stopped: it acts on SIGTERM only once continued.
  onTestFinished(() => void listener.child.kill('SIGCONT'));
  const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/);
  const socket = connect(parseUri(uri!).port!, '127.0.0.1');
  onTestFinished(() => void socket.destroy());
  await once(socket, 'connect');
  const peer = new BarePeer(socket);
  const send = (tid: string, headers: string, body: Uint8Array, flag: '+' | '$'): void =>
    void socket.write(
      Buffer.concat([
        Buffer.from(`MSRP ${tid} SEND\r\nTo-Path: ${uri}\r\nFrom-Path: ${FROM}\r\n${headers}\r\n`),
        body,
        Buffer.from(`\r\n-------${tid}${flag}\r\n`),
      ]),
    );
  const offerBody = Buffer.from(formatFileOffer(offer));
  send(
    'offer1',
    `Message-ID: offer\r\nByte-Range: 1-${offerBody.length}/${offerBody.length}\r\nContent-Type: ${FILE_OFFER_TYPE}\r\n`,
    offerBody,
    '$',
  );
  await peer.waitFor(new RegExp(`a=file-range:1-${SIZE}`));
  const file = (range: string): string =>
    `Message-ID: file\r\nByte-Range: ${range}/${SIZE}\r\n` +
    'Content-Disposition: attachment; filename="doc.bin"\r\nContent-Type: application/octet-stream\r\n';
  // The first chunk, confirmed once written: the listener is reading the file.
  send('chunk1', file(`1-${HALF}`), bytes.subarray(0, HALF), '+');
  await peer.waitFor(/^MSRP chunk1 200 /m);

  // The last chunk reaches the stopped listener, and SIGTERM comes before it goes on.
  const pid = listener.child.pid!;
  listener.child.kill('SIGSTOP');
  while (!(await isStopped(pid))) await new Promise((resolve) => setImmediate(resolve));
  send('chunk2', file(`${HALF + 1}-${SIZE}`), bytes.subarray(HALF), '$');
  await new Promise<void>((resolve) => socket.write('', () => resolve()));
  listener.child.kill('SIGTERM');
  listener.child.kill('SIGCONT');

  expect((await listener.exited).code, listener.stderr).toBe(0);
  if (!socket.closed) await once(socket, 'close');
  // Saved, and so confirmed: its sender is told the file arrived, and does not send it again.
  expect(listener.stdout).toMatch(/^saved \S+doc\.bin \(\d+ bytes, /m);
  expect(await readdir(out)).toEqual(['doc.bin']);
  expect((await readFile(join(out, 'doc.bin'))).equals(bytes)).toBe(true);
  expect(peer.text).toMatch(/^MSRP chunk2 200 /m);
}, 30_000);
