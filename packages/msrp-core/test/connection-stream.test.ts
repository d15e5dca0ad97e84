// Connection over a hand-written ByteStream, no Node stream at all: the interface is all a
// transport has to provide (frames in, frames out, backpressure both ways, closing).
import { describe, expect, it } from 'vitest';
import { type Head, type MsrpError } from '../src/index.js';
import { Connection, type ConnectionHandler } from '../src/internal.js';
import { MemoryStream } from './helpers/memory-stream.js';
import { until } from './helpers/socket-pair.js';
import { sendFrame } from './helpers/send-frame.js';

const text = new TextEncoder();

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

class Recorder implements ConnectionHandler {
  heads: Head[] = [];
  bodyBytes = 0;
  flags: string[] = [];
  errors: MsrpError[] = [];
  closedWith: Array<Error | undefined> = [];
  pauseBodies = false;
  head(head: Head): void {
    this.heads.push(head);
  }
  body(part: Uint8Array): boolean {
    this.bodyBytes += part.length;
    return !this.pauseBodies;
  }
  end(flag: string): void {
    this.flags.push(flag);
  }
  protocolError(error: MsrpError): void {
    this.errors.push(error);
  }
  closed(error?: Error): void {
    this.closedWith.push(error);
  }
}

describe('Connection over an in-memory ByteStream', () => {
  it('parses frames delivered a few bytes at a time', () => {
    const stream = new MemoryStream();
    const handler = new Recorder();
    const c = new Connection(stream, handler);
    const bytes = concat([...sendFrame(100), ...sendFrame(5)]);
    for (let i = 0; i < bytes.length; i += 7) stream.receive(bytes.subarray(i, i + 7));
    expect(handler.heads.map((h) => h.kind === 'request' && h.method)).toEqual(['SEND', 'SEND']);
    expect(handler.bodyBytes).toBe(105);
    expect(handler.flags).toEqual(['$', '$']);
    expect(c.closed).toBe(false);
    c.destroy();
  });

  it('writes a whole frame in one write call, and each writeParts piece in its own', async () => {
    const stream = new MemoryStream();
    const c = new Connection(stream, new Recorder());
    const frame = sendFrame(10);
    await c.write(frame);
    expect(stream.writes).toHaveLength(1);
    expect(stream.writes[0]).toEqual(frame);
    const pieces = [text.encode('one'), text.encode('two')];
    await c.writeParts(
      text.encode('HEAD\r\n'),
      () => pieces.shift(),
      () => text.encode('END\r\n'),
    );
    expect(stream.writes.slice(1).map((w) => w.length)).toEqual([1, 1, 1, 1]);
    expect(new TextDecoder().decode(stream.take()).slice(-17)).toBe('HEAD\r\nonetwoEND\r\n');
    c.destroy();
  });

  it('waits for drain when the stream is full, and stops reading past maxWriteBuffer', async () => {
    const stream = new MemoryStream(100);
    const c = new Connection(stream, new Recorder(), { maxWriteBuffer: 150 });
    let written = false;
    const first = c.write(sendFrame(200)).then(() => (written = true));
    await Promise.resolve();
    expect(written).toBe(false);
    expect(c.bufferedBytes).toBeGreaterThan(200);
    // More queued than maxWriteBuffer: the peer is not read until it reads our bytes.
    expect(stream.paused).toBe(true);
    // Writers share one wait for drain.
    const second = c.write(sendFrame(1));
    stream.take();
    await Promise.all([first, second]);
    expect(written).toBe(true);
    expect(c.bufferedBytes).toBe(0);
    expect(stream.paused).toBe(false);
    c.destroy();
  });

  it('pauses the stream while the handler holds a body back, and resumes on resume()', () => {
    const stream = new MemoryStream();
    const handler = new Recorder();
    handler.pauseBodies = true;
    const c = new Connection(stream, handler);
    stream.receive(concat(sendFrame(10)));
    expect(stream.paused).toBe(true);
    expect(handler.flags).toEqual([]);
    handler.pauseBodies = false;
    c.resume();
    expect(stream.paused).toBe(false);
    expect(handler.flags).toEqual(['$']);
    c.destroy();
  });

  it('says it holds what it was given while its parser reads it, after a resume too', () => {
    // A relay's hop gives a lent body piece back while its parser reads on in the same read:
    // the reused buffer that read lies in must not be read into meanwhile (it was, and a
    // frame's bytes turned into a later read's: the relay forwarded the rest as one body).
    const stream = new MemoryStream();
    const heldWhileReading: boolean[] = [];
    let heads = 0;
    const c = new Connection(stream, {
      head: () => ++heads !== 1 && heads !== 3,
      body: () => true,
      end: () => {
        heldWhileReading.push(stream.holdsData());
      },
      protocolError: () => undefined,
      closed: () => undefined,
    });
    stream.receive(concat(sendFrame(10)));
    expect(stream.holdsData()).toBe(true);
    // Arrives while paused: the stream delivers it once the connection resumes.
    stream.receive(concat([...sendFrame(10), ...sendFrame(10), ...sendFrame(10)]));
    c.resume();
    // Paused at the third head, after two frames ended with the rest of the read unparsed.
    expect(heads).toBe(3);
    expect(heldWhileReading).toEqual([true, true]);
    expect(stream.holdsData()).toBe(true);
    c.resume();
    expect(heldWhileReading).toEqual([true, true, true, true]);
    c.destroy();
  });

  it('closes on the peer FIN seen while paused with bytes unread, dropping them', async () => {
    const stream = new MemoryStream();
    const handler = new Recorder();
    handler.pauseBodies = true;
    const c = new Connection(stream, handler);
    stream.receive(concat(sendFrame(10)));
    stream.receive(concat(sendFrame(10)));
    stream.peerEnd();
    expect(handler.closedWith).toHaveLength(1);
    expect(handler.closedWith[0]).toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    // Closing never leaves the stream paused; our side ends and the stream is let go soon.
    expect(stream.paused).toBe(false);
    expect(stream.ended).toBe(true);
    await c.whenClosed;
    expect(stream.destroyed).toBe(true);
    expect(handler.heads).toHaveLength(1);
  });

  it('close() ends our side, destroys the stream once our last byte left, and rejects writes', async () => {
    const stream = new MemoryStream();
    const handler = new Recorder();
    const c = new Connection(stream, handler);
    void c.write(sendFrame(10));
    const closing = c.close();
    expect(handler.closedWith).toEqual([undefined]);
    await expect(c.write(sendFrame(1))).rejects.toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect(stream.ended).toBe(true);
    expect(stream.destroyed).toBe(false);
    stream.take();
    // After our last byte, the connection lingers briefly (100 ms) for the peer's FIN.
    await closing;
    expect(stream.destroyed).toBe(true);
  });

  it('reports a protocol error and closes on bytes that are not MSRP', async () => {
    const stream = new MemoryStream();
    const handler = new Recorder();
    const c = new Connection(stream, handler);
    stream.receive(text.encode('NOT MSRP AT ALL\r\n'));
    expect(handler.errors).toHaveLength(1);
    expect(c.closed).toBe(true);
    await until(() => stream.ended, 1000, 'our FIN');
    stream.take();
    await c.whenClosed;
  });
});
