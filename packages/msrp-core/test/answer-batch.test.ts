// The answers an endpoint owes on one connection (issue 12): written together once the
// socket read is parsed, 200 OKs from a template, in order with other frames; one write per
// frame on a message-framed transport (RFC 7977 §5.1).
import { describe, expect, it } from 'vitest';
import { AnswerBatch } from '../src/endpoint/answer-batch.js';
import { concatBytes, decodeUtf8 } from '../src/wire/bytes.js';
import type { RequestHead } from '../src/wire/head.js';
import { encodeResponse } from '../src/wire/response.js';
import { parseUri } from '../src/wire/uri.js';

const alice = parseUri('msrp://alice.example.com:7394/a1b2c3;tcp');
const bob = parseUri('msrp://bob.example.net:8493/z9y8;tcp');
const carol = parseUri('msrp://carol.example.org:1/c3;tcp');

function send(transactionId: string, from = alice): RequestHead {
  return { kind: 'request', method: 'SEND', transactionId, toPath: [bob], fromPath: [from] };
}

function recorder(messageFramed = false): {
  batch: AnswerBatch;
  writes: string[];
  /** Whether each write asked the transport to send it at once. */
  now: boolean[];
} {
  const writes: string[] = [];
  const now: boolean[] = [];
  const batch = new AnswerBatch(
    (frames, atOnce) => {
      const bytes = concatBytes(frames);
      writes.push(decodeUtf8(bytes, 0, bytes.length));
      now.push(atOnce === true);
    },
    () => messageFramed,
  );
  return { batch, writes, now };
}

const text = (bytes: Uint8Array): string => decodeUtf8(bytes, 0, bytes.length);
const ok = (request: RequestHead): string => text(encodeResponse(request, 200, 'OK'));

describe('AnswerBatch', () => {
  it('writes the 200 OKs of one task in one write, byte for byte as encodeResponse, in order with other frames', async () => {
    const { batch, writes } = recorder();
    const requests = [send('tid00001'), send('tid00002'), send('tid00003', carol)];
    const report = new TextEncoder().encode('MSRP report1 REPORT\r\n...\r\n');
    batch.addOk(requests[0]!);
    batch.addOk(requests[1]!);
    batch.add([report]);
    batch.addOk(requests[2]!);
    expect(writes).toEqual([]);
    await Promise.resolve();
    expect(writes).toEqual([ok(requests[0]!) + ok(requests[1]!) + text(report) + ok(requests[2]!)]);
  });

  it('keeps every answer when a batch outgrows its memory', () => {
    const { batch, writes } = recorder();
    const requests = Array.from({ length: 500 }, (_, i) => send(`t${String(i).padStart(7, '0')}`));
    for (const r of requests) batch.addOk(r);
    batch.flush();
    expect(writes.join('')).toBe(requests.map(ok).join(''));
    const written = [...writes];
    // Memory already written is never written over.
    batch.addOk(send('tlater01'));
    batch.flush();
    expect(writes.slice(0, -1)).toEqual(written);
    expect(writes.at(-1)).toBe(ok(send('tlater01')));
  });

  it('writes every 16 answers at once, mid-read, so the peer goes on while we parse the rest', async () => {
    const { batch, writes, now } = recorder();
    const requests = Array.from({ length: 40 }, (_, i) => send(`t${String(i).padStart(7, '0')}`));
    const report = new TextEncoder().encode('MSRP report1 REPORT\r\n...\r\n');
    for (const r of requests.slice(0, 10)) batch.addOk(r);
    batch.add([report]);
    for (const r of requests.slice(10)) batch.addOk(r);
    // 10 OKs, the REPORT and 5 OKs; then 16 OKs; the last 9 once the task has run.
    expect(now).toEqual([true, true]);
    await Promise.resolve();
    expect(now).toEqual([true, true, false]);
    const oks = requests.map(ok);
    expect(writes).toEqual([
      oks.slice(0, 10).join('') + text(report) + oks.slice(10, 15).join(''),
      oks.slice(15, 31).join(''),
      oks.slice(31).join(''),
    ]);
  });

  it('writes one frame per write on a message-framed transport', async () => {
    const { batch, writes } = recorder(true);
    batch.addOk(send('tid00001'));
    batch.addOk(send('tid00002'));
    await Promise.resolve();
    expect(writes).toEqual([ok(send('tid00001')), ok(send('tid00002'))]);
  });
});
