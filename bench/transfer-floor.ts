// The floor of MSRP file transfer at a given chunk size: what its bytes and its 200s cost when
// framing and parsing cost nothing. The sender writes frames built before the run (a ring of
// them, one window's worth, written again and again) and counts the 200s; the receiver finds
// each frame's end by counting (it knows their lengths, no scan for the end-line) and answers
// every frame a read completed with pre-built 200s, in one write. Each chunk is confirmed, the
// window is the library's default; what is left is the kernel's work and the event loop's.
// No MSRP implementation can do less per chunk, so ours / floor is what is left to win.
import { once } from 'node:events';
import { acceptOne, dialIntoOneBuffer } from './lib/one-buffer.js';

/** What a floor peer reports when done (the transfer peer's 'done' fields it knows). */
export interface FloorDone {
  bytes: number;
  ms: number;
  cpuMs: number;
  userMs: number;
}

const TO = 'msrp://127.0.0.1:2855/3204db143297bbaa46ea3d2b;tcp';
const FROM = 'msrp://e913b018319e61adeaac8d13.invalid:2855/69f83d5d0f067e1062b8dde2;tcp';
/** The library's default window for small chunks (option-defaults.ts): 2 MiB in flight. */
const WINDOW_BYTES = 2 * 1024 * 1024;

const cpu = (): { cpuMs: number; userMs: number } => {
  const { user, system } = process.cpuUsage();
  return { cpuMs: (user + system) / 1000, userMs: user / 1000 };
};

/** What `bytes` cost since `t0` and `c0`. */
function since(bytes: number, t0: number, c0: { cpuMs: number; userMs: number }): FloorDone {
  const c = cpu();
  return {
    bytes,
    ms: performance.now() - t0,
    cpuMs: c.cpuMs - c0.cpuMs,
    userMs: c.userMs - c0.userMs,
  };
}

/** The ring: frame `i` of `ring` as the library writes one (head, body, end-line). */
class FrameRing {
  readonly size: number;
  constructor(readonly chunkSize: number) {
    this.size = Math.max(1, Math.floor(WINDOW_BYTES / chunkSize));
  }
  id(i: number): string {
    return (0x10000000 + i).toString(36);
  }
  head(i: number): string {
    const start = i * this.chunkSize + 1;
    return (
      `MSRP ${this.id(i)} SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nMessage-ID: f0f0f0f0f0f0f0f0\r\n` +
      `Byte-Range: ${start}-${start + this.chunkSize - 1}/*\r\nContent-Type: application/octet-stream\r\n\r\n`
    );
  }
  endLine(i: number): string {
    return `\r\n-------${this.id(i)}+\r\n`;
  }
  frameLength(i: number): number {
    return this.head(i).length + this.chunkSize + this.endLine(i).length;
  }
  ok(i: number): Buffer {
    const id = this.id(i);
    return Buffer.from(
      `MSRP ${id} 200 OK\r\nTo-Path: ${FROM}\r\nFrom-Path: ${TO}\r\n-------${id}$\r\n`,
      'latin1',
    );
  }
}

/**
 * Dials the sender at `port`, reading into one buffer (lib/one-buffer.ts); for each frame a
 * read completes, a pre-built 200.
 */
export async function floorReceiver(
  port: number,
  chunkSize: number,
  bytes: number,
  warmup: number,
): Promise<FloorDone> {
  const ring = new FrameRing(chunkSize);
  const oks = Array.from({ length: ring.size }, (_, i) => ring.ok(i));
  const lengths = Array.from({ length: ring.size }, (_, i) => ring.frameLength(i));
  const frames = (warmup + bytes) / chunkSize;
  let n = 0;
  let left = lengths[0]!;
  let c0 = cpu();
  let t0 = performance.now();
  let finished!: (d: FloorDone) => void;
  const done = new Promise<FloorDone>((resolve) => (finished = resolve));
  const socket = dialIntoOneBuffer(port, (length) => {
    let rest = length;
    const out: Buffer[] = [];
    while (rest >= left) {
      rest -= left;
      out.push(oks[n % ring.size]!);
      if (++n * chunkSize === warmup) {
        c0 = cpu();
        t0 = performance.now();
      }
      left = lengths[n % ring.size]!;
    }
    left -= rest;
    if (out.length > 0) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    if (n === frames) {
      finished(since(bytes, t0, c0));
      socket.end();
    }
  });
  const result = await done;
  await once(socket, 'close');
  return result;
}

/**
 * Listens (telling `listening` its port), and writes to the receiver that dials it `warmup +
 * bytes` in pre-built frames, at most a window in flight, each confirmed by a 200 (counted by
 * the `$` that ends its end-line: bodies travel one way only); timed from the first
 * confirmation past the warm-up.
 */
export async function floorSender(
  chunkSize: number,
  bytes: number,
  warmup: number,
  listening: (port: number) => void,
): Promise<FloorDone> {
  const ring = new FrameRing(chunkSize);
  // The bytes the MSRP rows send (lib/generated.ts).
  const data = Buffer.alloc(ring.size * chunkSize, 0x61);
  const frames = Array.from({ length: ring.size }, (_, i) =>
    Buffer.concat([
      Buffer.from(ring.head(i), 'latin1'),
      data.subarray(i * chunkSize, (i + 1) * chunkSize),
      Buffer.from(ring.endLine(i), 'latin1'),
    ]),
  );
  const socket = await acceptOne(listening);
  const total = (warmup + bytes) / chunkSize;
  let sent = 0;
  let confirmed = 0;
  let c0 = cpu();
  let t0 = performance.now();
  const pump = (): void => {
    if (sent - confirmed >= ring.size || sent >= total) return;
    socket.cork();
    while (sent < total && sent - confirmed < ring.size) socket.write(frames[sent++ % ring.size]!);
    socket.uncork();
  };
  const finished = new Promise<FloorDone>((resolve) => {
    socket.on('data', (b: Buffer) => {
      const before = confirmed;
      for (let i = b.indexOf(0x24); i >= 0; i = b.indexOf(0x24, i + 1)) confirmed++;
      const warm = warmup / chunkSize;
      if (before < warm && confirmed >= warm) {
        c0 = cpu();
        t0 = performance.now();
      }
      if (confirmed < total) return pump();
      resolve(since(bytes, t0, c0));
    });
  });
  pump();
  const result = await finished;
  socket.end();
  await once(socket, 'close');
  return result;
}
