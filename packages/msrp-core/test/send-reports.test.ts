// How a sending session settles on the REPORTs about its message (RFC 4975 §7.1.3, §7.3.2:
// REPORTs cover byte ranges, not chunks or whole messages).
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, type ByteRange, type SessionOptions } from '../src/index.js';
import { RawServer, type RawPeer, type RawRequest } from './helpers/raw-peer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A session of ours bound to a raw listener that answers every SEND with 200. */
async function connectedToRaw(options: SessionOptions) {
  const server = await RawServer.listen({ autoRespond: true });
  cleanups.push(() => server.close());
  const e = new Endpoint();
  cleanups.push(() => e.close());
  const session = e.createSession(options);
  await session.connect([server.uri()]);
  return { session, raw: await server.peer() };
}

/** The next SEND with a body (the binding SEND has none). */
async function nextMessageChunk(raw: RawPeer): Promise<RawRequest> {
  for (;;) {
    const request = await raw.request('SEND');
    if (request.head.contentType !== undefined) return request;
  }
}

/** A success REPORT (000 200) about `request`'s message, covering `range`. */
function successReport(raw: RawPeer, request: RawRequest, range: ByteRange): void {
  raw.sendRequest({
    method: 'REPORT',
    toPath: request.head.fromPath,
    fromPath: request.head.toPath,
    messageId: request.head.messageId!,
    byteRange: range,
    status: { namespace: '000', code: 200, reason: 'OK' },
  });
}

describe('success REPORTs that each cover part of the message', () => {
  // RFC 4975 §7.1.3 "Generating Success Reports": the receiver "MAY generate incremental
  // success REPORTs as the chunks are received ... after a chunk arrives and cover just the
  // part from that chunk", and "The sending client cannot depend on the Byte-Range header
  // field in a given success report matching that of a particular SEND request."
  // §7.3.2: the sender "correlates the report to the original SEND request using the
  // Message-ID and the Byte-Range". Two REPORTs covering 1-5 and 6-10 of a 10-byte message
  // report the whole message delivered.
  it('resolve the send once together they cover every byte', async () => {
    const { session, raw } = await connectedToRaw({ chunkSize: 5, reportTimeout: 2000 });
    const sending = session.send('0123456789', { successReport: true });
    const first = await nextMessageChunk(raw);
    const second = await nextMessageChunk(raw);
    expect(first.head.byteRange).toMatchObject({ start: 1, end: 5, total: 10 });
    expect(second.head.byteRange).toMatchObject({ start: 6, end: 10, total: 10 });
    // One REPORT per chunk, as a receiver reporting incrementally sends them.
    successReport(raw, first, { start: 1, end: 5, total: 10 });
    successReport(raw, second, { start: 6, end: 10, total: 10 });
    await expect(sending).resolves.toMatchObject({ bytes: 10, report: { code: 200 } });
  });
});

describe('a success REPORT that does not cover the message', () => {
  // RFC 4975 §7.3.2: the report is correlated "using the Message-ID and the Byte-Range".
  // A REPORT for bytes 1-5 (whatever total it claims) does not say bytes 6-10 of a 10-byte
  // message arrived: the send must still wait (and here time out), not resolve as delivered.
  it('does not resolve a send of 10 bytes with a REPORT of 1-5/5', async () => {
    const { session, raw } = await connectedToRaw({ reportTimeout: 300 });
    const sending = session.send('0123456789', { successReport: true });
    const chunk = await nextMessageChunk(raw);
    successReport(raw, chunk, { start: 1, end: 5, total: 5 });
    await expect(sending).rejects.toMatchObject({ code: 'MSRP_ERR_REPORT_TIMEOUT' });
  });
});

/** A failure REPORT (000 `code`) about `request`'s message, covering its chunk. */
function failureReport(raw: RawPeer, request: RawRequest, code: number): void {
  raw.sendRequest({
    method: 'REPORT',
    toPath: request.head.fromPath,
    fromPath: request.head.toPath,
    messageId: request.head.messageId!,
    byteRange: { start: 1, end: 4, total: 12 },
    status: { namespace: '000', code },
  });
}

describe('a failure REPORT for a message still being sent', () => {
  // RFC 4975 §7.3.2: "It is possible to receive a failure report or a failure transaction
  // response for a chunk that is currently being delivered. In this case, the entire message
  // corresponding to that chunk SHOULD be aborted, by including the "#" character in the
  // continuation-flag field of the closing line." Here a relay further on reports 408 after
  // the first 4 of 12 bytes: the session stops the message, and must end it with `#` (as
  // Session.abort does, a chunk 5-4/12 ending in `#`) so that the receiver does not keep
  // bytes 1-4 waiting for the rest.
  it('ends the message on the wire with a # chunk', async () => {
    const { session, raw } = await connectedToRaw({ chunkSize: 4, maxInFlightChunks: 1 });
    // The first chunk stays unanswered: the second is not written before the REPORT.
    raw.autoRespond = false;
    const sending = session.send('0123456789ab', { contentType: 'text/plain' });
    const first = await nextMessageChunk(raw);
    expect(first.flag).toBe('+');
    failureReport(raw, first, 408);
    await expect(sending).rejects.toMatchObject({ code: 'MSRP_ERR_REMOTE', status: 408 });
    const closing = await raw.waitFor(
      (f) =>
        f.head.kind === 'request' && f.head.messageId === first.head.messageId && f.flag === '#',
      2000,
      '# chunk of the failed message',
    );
    expect(closing.head.byteRange).toMatchObject({ start: 5, total: 12 });
  });

  // RFC 4975 §10.5: after a 413 the sender "MUST NOT send any further chunks in that message",
  // not even the `#` one.
  it('of 413 sends no further chunk of it, not even one ending in #', async () => {
    const { session, raw } = await connectedToRaw({ chunkSize: 4, maxInFlightChunks: 1 });
    raw.autoRespond = false;
    const sending = session.send('0123456789ab', { contentType: 'text/plain' });
    const first = await nextMessageChunk(raw);
    failureReport(raw, first, 413);
    await expect(sending).rejects.toMatchObject({ code: 'MSRP_ERR_REMOTE', status: 413 });
    raw.respond(first);
    raw.autoRespond = true;
    // A `#` chunk would have been written before the send failed, so before this message.
    await session.send('next', { contentType: 'text/plain' });
    const after = await raw.request('SEND');
    expect([after.head.messageId === first.head.messageId, after.body.toString()]).toEqual([
      false,
      'next',
    ]);
  });
});
