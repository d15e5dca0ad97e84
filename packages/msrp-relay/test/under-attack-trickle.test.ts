// "Bytes buffered toward a slow reader" (issue 13), the other way round: senders that trickle
// bytes into every read place toward one reader (maxQueuedBytes / READ_BYTES of them) would
// hold every other sender toward it after its head, for as long as they keep a byte coming
// within the frame timeout. While others wait, those slower than 16 KiB/s after 2 s are
// evicted: their chunks get 408; the others' bytes go through.
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '@msrp-ts/msrp-core/internal';
import { READ_BYTES } from '../src/reader-budget.js';
import { eventually, rawAuth, rawClient, type RawPeer } from './helpers.js';
import { rawClientFrom, relayWith, talkingPair } from './attack-helpers.js';

describe('under attack: senders trickling into every read place toward one reader', () => {
  it('are evicted while another sender waits, which then delivers; their chunks get 408', async () => {
    const maxQueuedBytes = 4 * READ_BYTES;
    const { relay, uri } = await relayWith({ limits: { maxQueuedBytes } });
    const pair = await talkingPair(uri);
    const bob = await rawClient(uri.port!);
    const toBob = [(await rawAuth(bob, uri, 'bob')).usePath![0]!, bob.uri];
    // What reaches bob, raw: a trickler's chunk never ends, so it never shows as a frame.
    let atBob = '';
    bob.socket.on('data', (bytes: Buffer) => void (atBob += bytes.toString('latin1')));
    // Each trickler: a chunk's head and 3 bytes of a declared 1 MB, then nothing.
    const tricklers: { peer: RawPeer; messageId: string; endLine: Uint8Array }[] = [];
    for (let i = 0; i < 4; i++) {
      const peer = await rawClientFrom(uri.port!, `127.0.0.${i + 1}`);
      const head = peer.requestHead({
        toPath: toBob,
        body: 'abc',
        byteRange: { start: 1, end: 1_000_000, total: 1_000_000 },
      });
      const [headBytes, body, endLine] = encodeFrame(head, Buffer.from('abc'), '$');
      peer.write(headBytes!);
      peer.write(body!);
      tricklers.push({ peer, messageId: head.messageId!, endLine: endLine! });
    }
    const started = () => tricklers.every((t) => atBob.includes(`${t.messageId}\r\n`));
    await eventually(started, 5000, "every trickler's chunk started at bob");
    const sender = await rawClientFrom(uri.port!, '127.0.0.5');
    const body = Buffer.alloc(100, 0x73);
    const sent = sender.sendRequest({ toPath: toBob, body });
    // Held after its head until the tricklers are judged (2 s): then it goes through.
    const arrived = () => bob.requests.find((r) => r.head.messageId === sent.messageId);
    await eventually(() => arrived() !== undefined, 8000, "the sender's chunk at bob");
    expect(arrived()!.body.equals(body)).toBe(true);
    expect((await sender.response(sent.transactionId)).head.statusCode).toBe(200);
    // Bob saw each trickler's chunk end with # (RFC 4975 §7.1: aborted); each trickler's
    // own end-line is answered 408.
    expect(bob.frames.filter((f) => f.flag === '#')).toHaveLength(4);
    for (const t of tricklers) {
      t.peer.write(t.endLine);
      expect((await t.peer.response()).head.statusCode).toBe(408);
    }
    expect(relay.queuedBytes).toBe(0);
    await pair.more(3);
    await pair.stop();
  });
});
