// Connection.atFrameStart, which the relay's fast path trusts to take whole frames ahead of
// the parser: true only between frames, while reading, before closing.
import { describe, expect, it } from 'vitest';
import {
  Connection,
  type ByteStream,
  type ByteStreamEvents,
  type ConnectionHandler,
} from '@msrp-ts/msrp-core/internal';

/** A stream whose reads the test makes, synchronously. */
class FakeStream implements ByteStream {
  events: ByteStreamEvents | undefined;
  readonly remote = 'fake';
  bufferedAmount = 0;
  writable = true;
  open(events: ByteStreamEvents): void {
    this.events = events;
  }
  write(): boolean {
    return true;
  }
  pause(): void {}
  resume(): void {}
  end(): void {}
  destroy(): void {
    this.writable = false;
  }
}

const frame = Buffer.from(
  'MSRP abcd1234 SEND\r\nTo-Path: msrp://127.0.0.1:2855/s1;tcp\r\n' +
    'From-Path: msrp://127.0.0.1:7/y;tcp\r\nMessage-ID: mid12345\r\nByte-Range: 1-5/5\r\n' +
    'Content-Type: text/plain\r\n\r\nhello\r\n-------abcd1234$\r\n',
);

describe('Connection.atFrameStart', () => {
  it('is true between frames only, false while paused and once closing', () => {
    const stream = new FakeStream();
    let pause = false;
    const handler: ConnectionHandler = {
      head: () => !pause,
      body: () => true,
      end: () => undefined,
      protocolError: () => undefined,
      closed: () => undefined,
    };
    const connection = new Connection(stream, handler);
    expect(connection.atFrameStart).toBe(true);
    for (const cut of [5, 40, frame.indexOf('hello') + 2, frame.length - 3]) {
      stream.events!.data(frame.subarray(0, cut));
      expect(connection.atFrameStart, `cut at ${cut}`).toBe(false);
      stream.events!.data(frame.subarray(cut));
      expect(connection.atFrameStart, `after ${cut}`).toBe(true);
    }
    // The handler paused reading after a head: not at a frame start until resumed and read.
    pause = true;
    stream.events!.data(Buffer.concat([frame, frame]));
    expect(connection.atFrameStart).toBe(false);
    pause = false;
    connection.resume();
    expect(connection.atFrameStart).toBe(true);
    void connection.close(0);
    expect(connection.atFrameStart).toBe(false);
  });
});
