// socketStream: the Node adapter that turns any Duplex into a ByteStream.
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ByteStreamEvents } from '../src/index.js';
import { socketStream } from '../src/internal.js';
import { socketPair, until, type SocketPair } from './helpers/socket-pair.js';
import { cleanups } from './helpers/cleanups.js';

async function pair(): Promise<SocketPair> {
  const p = await socketPair();
  cleanups.push(() => p.close());
  return p;
}

/** Events that record their names in order (and the bytes of `data`). */
function recorder(): { events: ByteStreamEvents; seen: string[]; data: Uint8Array[] } {
  const seen: string[] = [];
  const data: Uint8Array[] = [];
  const events: ByteStreamEvents = {
    data: (bytes) => {
      seen.push('data');
      data.push(bytes);
    },
    drain: () => seen.push('drain'),
    end: () => seen.push('end'),
    endWhilePaused: () => seen.push('endWhilePaused'),
    finished: () => seen.push('finished'),
    error: (e) => seen.push(`error:${e.message}`),
    close: () => seen.push('close'),
  };
  return { events, seen, data };
}

/** A Duplex that records each batch the Writable hands it: one entry per _write/_writev. */
class Batches extends Duplex {
  readonly batches: string[][] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.batches.push([chunk.toString()]);
    callback();
  }
  override _writev(chunks: { chunk: Buffer }[], callback: () => void): void {
    this.batches.push(chunks.map((c) => c.chunk.toString()));
    callback();
  }
}

describe('socketStream', () => {
  it('names the peer by the socket address, or as told, and knows our local address', async () => {
    const p = await pair();
    const stream = socketStream(p.ours);
    expect(stream.remote).toBe(`127.0.0.1:${p.theirs.localPort}`);
    expect(stream.remoteAddress).toBe('127.0.0.1');
    expect(stream.localAddress).toBe('127.0.0.1');
    expect(socketStream(p.ours, 'peer-a').remote).toBe('peer-a');
    const plain = socketStream(new Batches());
    expect(plain.remote).toBe('?');
    expect(plain.remoteAddress).toBeUndefined();
    expect(plain.localAddress).toBeUndefined();
  });

  it('writes made in one turn of the event loop leave in one writev', async () => {
    const duplex = new Batches();
    const stream = socketStream(duplex);
    stream.open(recorder().events);
    stream.write(['a', 'b'].map((s) => Buffer.from(s)));
    stream.write([Buffer.from('c')]);
    expect(duplex.batches).toEqual([]);
    // A writer that awaits between frames (a source read through a nextTick, a promise)
    // still adds to the same writev: a file's chunks leave many at a time.
    await new Promise((resolve) => process.nextTick(resolve));
    await Promise.resolve();
    stream.write([Buffer.from('d')]);
    expect(duplex.batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(duplex.batches).toEqual([['a', 'b', 'c', 'd']]);
    stream.write([Buffer.from('e')]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(duplex.batches).toEqual([['a', 'b', 'c', 'd'], ['e']]);
  });

  it('flush() hands the writes gathered so far to the socket at once; later ones wait for the turn', async () => {
    const duplex = new Batches();
    const stream = socketStream(duplex);
    stream.open(recorder().events);
    stream.write(['a', 'b'].map((s) => Buffer.from(s)));
    stream.flush!();
    expect(duplex.batches).toEqual([['a', 'b']]);
    stream.flush!(); // nothing gathered: no empty write
    stream.write([Buffer.from('c')]);
    stream.write([Buffer.from('d')]);
    expect(duplex.batches).toEqual([['a', 'b']]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(duplex.batches).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it("with writeBatch 'tick', writes of one tick leave together, a later tick's apart", async () => {
    const duplex = new Batches();
    const stream = socketStream(duplex, undefined, { writeBatch: 'tick' });
    stream.open(recorder().events);
    stream.write(['a', 'b'].map((s) => Buffer.from(s)));
    stream.write([Buffer.from('c')]);
    expect(duplex.batches).toEqual([]);
    await new Promise((resolve) => process.nextTick(resolve));
    stream.write([Buffer.from('d')]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(duplex.batches).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('delivers data then end, and reports a FIN seen while paused with bytes unread', async () => {
    const p = await pair();
    const stream = socketStream(p.ours);
    const r = recorder();
    stream.open(r.events);
    p.theirs.write('hello');
    await until(() => r.seen.includes('data'), 5000, 'data');
    expect(Buffer.from(r.data[0]!).toString()).toBe('hello');
    stream.pause();
    p.theirs.end('unread');
    await until(() => r.seen.includes('endWhilePaused'), 5000, 'FIN while paused');
    expect(r.seen).toEqual(['data', 'endWhilePaused']);
    // Resumed, the unread bytes and the FIN come in order (then the socket, not half-open,
    // ends its side too).
    stream.resume();
    await until(() => r.seen.includes('end'), 5000, 'end');
    expect(r.seen.slice(0, 4)).toEqual(['data', 'endWhilePaused', 'data', 'end']);
    expect(Buffer.from(r.data[1]!).toString()).toBe('unread');
  });

  it('reports finished after end(), then close; writable turns false', async () => {
    const p = await pair();
    const stream = socketStream(p.ours);
    const r = recorder();
    stream.open(r.events);
    expect(stream.writable).toBe(true);
    stream.write([Buffer.from('bye')]);
    stream.end();
    expect(stream.writable).toBe(false);
    await until(() => r.seen.includes('finished'), 5000, 'finished');
    stream.destroy();
    await until(() => r.seen.includes('close'), 5000, 'close');
    expect(r.seen).toEqual(['finished', 'close']);
  });

  it('keeps an error that came before open() and reports it, with close, on open', async () => {
    const duplex = new Batches();
    const stream = socketStream(duplex);
    // Without a listener this error would be thrown (an unhandled 'error' event).
    duplex.destroy(new Error('reset'));
    await new Promise((resolve) => setImmediate(resolve));
    const r = recorder();
    stream.open(r.events);
    await until(() => r.seen.includes('close'), 5000, 'close');
    expect(r.seen).toEqual(['error:reset', 'close']);
  });

  it('reports close once when opened between destroy() and its close event', async () => {
    const duplex = new Batches();
    const stream = socketStream(duplex);
    duplex.destroy();
    expect(duplex.closed).toBe(true);
    const r = recorder();
    stream.open(r.events);
    await until(() => r.seen.includes('close'), 5000, 'close');
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.seen).toEqual(['close']);
  });

  it('reports bufferedAmount and drain', async () => {
    let release: (() => void) | undefined;
    const duplex = new Duplex({
      writableHighWaterMark: 4,
      read: () => undefined,
      write: (_chunk, _encoding, callback) => (release = callback),
    });
    const stream = socketStream(duplex);
    const r = recorder();
    stream.open(r.events);
    // Past the Duplex's highWaterMark, writes go on (many chunks per writev) up to 1 MiB.
    expect(stream.write([Buffer.from('12345')])).toBe(true);
    expect(stream.write([Buffer.alloc(1024 * 1024)])).toBe(false);
    expect(stream.bufferedAmount).toBe(5 + 1024 * 1024);
    await until(() => release !== undefined, 5000, 'write');
    while (!r.seen.includes('drain')) {
      const next = release!;
      release = undefined;
      next();
      await until(() => release !== undefined || r.seen.includes('drain'), 5000, 'drain');
    }
    expect(stream.bufferedAmount).toBe(0);
  });

  it('takes many 8 KiB chunks before it asks to wait, so that they leave in one writev', async () => {
    const writes: number[] = [];
    const duplex = new Duplex({
      read: () => undefined,
      writev: (chunks, callback) => {
        writes.push(chunks.length);
        callback();
      },
    });
    const stream = socketStream(duplex);
    stream.open(recorder().events);
    const head = Buffer.alloc(100);
    const body = Buffer.alloc(8192);
    let room = true;
    let chunks = 0;
    while (room) {
      room = stream.write([head, body, head]);
      chunks++;
    }
    expect(chunks).toBe(Math.ceil((1024 * 1024) / (8192 + 200)));
    await until(() => writes.length > 0, 5000, 'writev');
    expect(writes).toEqual([chunks * 3]);
  });
});
