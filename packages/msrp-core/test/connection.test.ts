// Connection lifecycle on real loopback sockets against a scripted peer: closing is prompt
// and never leaves a socket paused; peers that go away are noticed; idle connections end.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type ConnectionOptions, type Head, type MsrpError } from '../src/index.js';
import { Connection, socketStream, type ConnectionHandler } from '../src/internal.js';
import { socketPair, until, type SocketPair } from './helpers/socket-pair.js';
import { sendFrame } from './helpers/send-frame.js';
import { cleanups } from './helpers/cleanups.js';

async function pair(options?: { allowHalfOpen?: boolean }): Promise<SocketPair> {
  const p = await socketPair(options);
  cleanups.push(() => p.close());
  return p;
}

/** A handler that records what it is told; `pauseBodies` makes every body() return false. */
class Recorder implements ConnectionHandler {
  heads: Head[] = [];
  bodyBytes = 0;
  ends = 0;
  errors: MsrpError[] = [];
  closedWith: Array<Error | undefined> = [];
  idles = 0;
  idle: (() => void) | undefined;
  pauseBodies = false;
  onHead: ((head: Head) => void) | undefined;
  onProtocolError: ((error: MsrpError) => void) | undefined;

  head(head: Head): void {
    this.heads.push(head);
    this.onHead?.(head);
  }
  body(part: Uint8Array): boolean {
    this.bodyBytes += part.length;
    return !this.pauseBodies;
  }
  end(): void {
    this.ends++;
  }
  protocolError(error: MsrpError): void {
    this.errors.push(error);
    this.onProtocolError?.(error);
  }
  closed(error?: Error): void {
    this.closedWith.push(error);
  }
}

function connection(p: SocketPair, handler: ConnectionHandler, options?: ConnectionOptions) {
  const c = new Connection(socketStream(p.ours), handler, options);
  cleanups.push(() => c.destroy());
  return c;
}

function write(p: SocketPair, frame: Uint8Array[]): void {
  for (const bytes of frame) p.theirs.write(bytes);
}

describe('Connection closing', () => {
  it('after a protocol error: answers, tells the handler at once, and closes promptly though the peer never closes its side', async () => {
    const p = await pair({ allowHalfOpen: true });
    const handler = new Recorder();
    const c = connection(p, handler);
    let closedDuringError: number | undefined;
    handler.onProtocolError = () => {
      closedDuringError = handler.closedWith.length;
      void c.write([Buffer.from('ANSWER')]);
    };
    const received: Buffer[] = [];
    p.theirs.on('data', (b: Buffer) => received.push(b));
    const theirsEnded = once(p.theirs, 'end');
    const start = Date.now();
    p.theirs.write('NOT MSRP AT ALL\r\n');
    await until(() => handler.errors.length === 1, 5000, 'protocol error');
    // The handler may still answer while it hears of the error; it is told of the close
    // right after, not once the socket is gone.
    expect(closedDuringError).toBe(0);
    expect(handler.closedWith).toHaveLength(1);
    expect(handler.closedWith[0]).toBe(handler.errors[0]);
    expect(c.closed).toBe(true);
    await theirsEnded;
    expect(Buffer.concat(received).toString()).toBe('ANSWER');
    await c.whenClosed;
    // The old graceful close waited 2 s for a FIN that this peer never sends.
    expect(Date.now() - start).toBeLessThan(1000);
    expect(handler.closedWith).toHaveLength(1);
  });

  it('close() while the handler paused reading discards the rest and sees the FIN, no 2 s wait', async () => {
    const p = await pair();
    const handler = new Recorder();
    handler.pauseBodies = true;
    const c = connection(p, handler);
    write(p, sendFrame(4 * 1024 * 1024));
    await until(() => handler.bodyBytes > 0, 5000, 'first body bytes');
    const seen = handler.bodyBytes;
    const start = Date.now();
    await c.close();
    expect(Date.now() - start).toBeLessThan(1000);
    expect(handler.closedWith).toEqual([undefined]);
    expect(handler.bodyBytes).toBe(seen);
    expect(handler.ends).toBe(0);
  });

  it('no frame reaches the handler once closing is decided, even later in the same read', async () => {
    const p = await pair();
    const handler = new Recorder();
    const c = connection(p, handler);
    handler.onHead = () => void c.close();
    const [a, b] = [sendFrame(3), sendFrame(3)];
    p.theirs.write(Buffer.concat([...a, ...b]));
    await c.whenClosed;
    expect(handler.heads).toHaveLength(1);
    expect(handler.bodyBytes).toBe(0);
    expect(handler.closedWith).toEqual([undefined]);
  });

  it('destroy() tells the handler once, with the error', async () => {
    const p = await pair();
    const handler = new Recorder();
    const c = connection(p, handler);
    const error = new Error('gone');
    c.destroy(error);
    await c.whenClosed;
    expect(handler.closedWith).toEqual([error]);
  });

  it("the peer's FIN tells the handler before our side has closed", async () => {
    const p = await pair();
    const handler = new Recorder();
    const c = connection(p, handler);
    p.theirs.end();
    await until(() => handler.closedWith.length === 1, 5000, 'closed');
    expect(c.closed).toBe(true);
    await c.whenClosed;
    expect(handler.closedWith).toEqual([undefined]);
  });
});

describe('Connection paused by backpressure', () => {
  it('a peer that closes while the handler does not read is noticed within idleTimeout', async () => {
    const p = await pair();
    const handler = new Recorder();
    handler.pauseBodies = true;
    const c = connection(p, handler, { idleTimeout: 200 });
    write(p, sendFrame(4 * 1024 * 1024));
    p.theirs.end();
    await until(() => handler.bodyBytes > 0, 5000, 'first body bytes');
    // The FIN sits behind megabytes nobody reads: only the idle deadline can see it.
    await until(() => handler.closedWith.length === 1, 5000, 'closed');
    await c.whenClosed;
    expect(handler.ends).toBe(0);
  });

  it('a peer that closes while the handler holds it back is seen at once, its unread bytes dropped', async () => {
    const p = await pair();
    const handler = new Recorder();
    handler.pauseBodies = true;
    const c = connection(p, handler);
    write(p, sendFrame(100));
    await until(() => handler.bodyBytes > 0, 5000, 'first body bytes');
    // More bytes than the paused connection reads, then FIN: no 'end' comes while they sit
    // unread, and no idleTimeout is set to notice.
    write(p, sendFrame(100));
    p.theirs.end();
    await until(() => handler.closedWith.length === 1, 2000, 'closed');
    const error = handler.closedWith[0] as MsrpError;
    expect(error.code).toBe('MSRP_ERR_CONNECTION');
    await c.whenClosed;
    expect(handler.heads).toHaveLength(1);
    expect(handler.ends).toBe(0);
  });

  it('a peer that stops reading our writes and then goes away is noticed through the write', async () => {
    const p = await pair();
    const handler = new Recorder();
    const c = connection(p, handler, { maxWriteBuffer: 64 * 1024 });
    p.theirs.pause();
    const chunk = Buffer.alloc(1024 * 1024);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 16; i++) writes.push(c.write([chunk]).catch(() => undefined));
    await until(() => p.ours.isPaused(), 5000, 'reading paused');
    // Unread bytes on the peer's side make its close a RST, which our pending write meets.
    p.theirs.destroy();
    await until(() => handler.closedWith.length === 1, 5000, 'closed');
    expect(handler.closedWith[0]).toBeInstanceOf(Error);
    await c.whenClosed;
    await Promise.all(writes);
  });
});

describe('Connection idleTimeout', () => {
  it('calls idle() after idleTimeout without traffic, again while the handler keeps it', async () => {
    const p = await pair();
    const handler = new Recorder();
    handler.idle = () => handler.idles++;
    const c = connection(p, handler, { idleTimeout: 50 });
    await until(() => handler.idles >= 2, 5000, 'two idle calls');
    expect(c.closed).toBe(false);
    expect(handler.closedWith).toEqual([]);
  });

  it('closes by default when idle', async () => {
    const p = await pair();
    const handler = new Recorder();
    const c = connection(p, handler, { idleTimeout: 50 });
    await c.whenClosed;
    expect(handler.closedWith).toEqual([undefined]);
  });

  it('bytes from the peer postpone it', async () => {
    const p = await pair();
    const handler = new Recorder();
    handler.idle = () => handler.idles++;
    const idleTimeout = 150;
    connection(p, handler, { idleTimeout });
    // A start line trickling in, one byte every 20 ms for 500 ms: never idle. The gaps are
    // measured: on a loaded machine a 20 ms wait can take longer than the idle timeout, and
    // then an idle call is right, so the assertion holds only for the gaps that really happened.
    const line = 'MSRP abcdefghijklmnopqrstuvw';
    let longestGap = 0;
    let last = Date.now();
    for (const char of line) {
      p.theirs.write(char);
      await new Promise((resolve) => setTimeout(resolve, 20));
      longestGap = Math.max(longestGap, Date.now() - last);
      last = Date.now();
    }
    if (longestGap < idleTimeout) expect(handler.idles).toBe(0);
    await until(() => handler.idles === 1, 5000, 'idle after the trickle stops');
  });
});

describe('Connection idleTimeout and writes', () => {
  it('writes the peer reads postpone it', async () => {
    const p = await pair();
    const handler = new Recorder();
    handler.idle = () => handler.idles++;
    const idleTimeout = 150;
    const c = connection(p, handler, { idleTimeout });
    // A small frame every 20 ms for 500 ms, each drained before the next (see the trickle
    // above for why the gaps are measured).
    let longestGap = 0;
    let last = Date.now();
    for (let i = 0; i < 25; i++) {
      await c.write([Buffer.from('x')]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      longestGap = Math.max(longestGap, Date.now() - last);
      last = Date.now();
    }
    if (longestGap < idleTimeout) expect(handler.idles).toBe(0);
  });

  it('writes that only queue behind bytes the peer does not read do not postpone it', async () => {
    const p = await pair();
    const handler = new Recorder();
    handler.idle = () => handler.idles++;
    const c = connection(p, handler, { idleTimeout: 150 });
    p.theirs.pause();
    // More than the kernel's buffers hold: the rest waits in ours, and no byte moves.
    void c.write([Buffer.alloc(32 * 1024 * 1024)]).catch(() => undefined);
    expect(c.bufferedBytes).toBeGreaterThan(0);
    const writing = setInterval(() => {
      if (!c.closed) c.tryWrite([Buffer.from('x')]);
    }, 20);
    try {
      await until(() => handler.idles >= 1, 5000, 'idle while writes only queue');
    } finally {
      clearInterval(writing);
    }
  });
});

describe('Connection frameTimeout', () => {
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('closes a connection whose head trickles in, as a protocol error MSRP_ERR_FRAME_TIMEOUT', async () => {
    const p = await pair();
    const handler = new Recorder();
    const c = connection(p, handler, { frameTimeout: 200 });
    const bytes = [...'MSRP a1b2c3d4e5 SEND\r\nTo-Path: msrp://127.0.0.1:1/us;tcp\r\n'];
    const timer = setInterval(() => {
      const byte = bytes.shift();
      if (byte === undefined || p.theirs.destroyed) clearInterval(timer);
      else p.theirs.write(byte);
    }, 20);
    cleanups.push(() => clearInterval(timer));
    const started = Date.now();
    await until(() => handler.errors.length === 1, 3000, 'the frame timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(handler.errors[0]!.code).toBe('MSRP_ERR_FRAME_TIMEOUT');
    expect(handler.errors[0]!.status).toBeUndefined();
    expect(handler.closedWith).toEqual([handler.errors[0]]);
    await c.whenClosed;
  });

  it('a body that keeps coming, time between frames and time the handler holds it back do not count', async () => {
    const p = await pair();
    const handler = new Recorder();
    const c = connection(p, handler, { frameTimeout: 200 });
    // A body in 10 pieces 50 ms apart: 500 ms in all, each piece within the timeout.
    const [head, body, endLine] = sendFrame(1000) as [Uint8Array, Uint8Array, Uint8Array];
    p.theirs.write(head);
    for (let i = 0; i < 10; i++) {
      p.theirs.write(body.subarray(i * 100, (i + 1) * 100));
      await wait(50);
    }
    p.theirs.write(endLine);
    await until(() => handler.ends === 1, 2000, 'the trickled frame');
    // Nothing is awaited between frames.
    await wait(400);
    // The handler holds the peer back in the middle of a frame, longer than the timeout.
    handler.pauseBodies = true;
    const [head2, body2, endLine2] = sendFrame(100) as [Uint8Array, Uint8Array, Uint8Array];
    p.theirs.write(Buffer.concat([head2, body2]));
    await until(() => handler.bodyBytes > 1000, 2000, 'the second body');
    await wait(400);
    handler.pauseBodies = false;
    c.resume();
    p.theirs.write(endLine2);
    await until(() => handler.ends === 2, 2000, 'the held frame');
    expect(handler.errors).toEqual([]);
    expect(c.closed).toBe(false);
  });
});
