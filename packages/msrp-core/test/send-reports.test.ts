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
