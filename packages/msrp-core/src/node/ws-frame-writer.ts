/**
 * Writes one binary WebSocket message as a single frame straight onto the TCP socket under
 * a `ws` WebSocket, from a list of parts: what `ws`'s own `send` would put on the wire, but
 * with fewer copies. `send` takes one buffer and, on a client, copies it again to mask it (it
 * treats the caller's bytes as read-only), so a chunk's head, body and end-line would be
 * joined once by us and once by `ws`. Here a server writes the parts as they are behind the
 * frame header (one `writev`, no copy), and a client joins them once into a buffer of its
 * own (recycled once written), which is masked in place with `ws`'s masking (native with
 * `bufferutil`).
 *
 * This reaches into `ws` internals (`_socket`, `_sender` and its class's static `frame`,
 * `_isServer`, all stable across ws 8): where any is missing the caller falls back to `send`.
 */

/** The part of a Node socket the frames are written to. */
interface RawSocket {
  cork(): void;
  uncork(): void;
  write(data: Uint8Array, callback?: (error?: Error | null) => void): boolean;
}

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}

/** `ws`'s `Sender.frame`: the frame header and the (masked in place) data. */
type Frame = (data: Buffer, options: FrameOptions) => Buffer[];

/** The internals of a `ws` WebSocket used here. */
interface WsInternals {
  readonly _socket?: RawSocket | null;
  /** `_state` 0: nothing queued in `ws` (no compression or blob pending). */
  readonly _sender?: {
    readonly _state?: number;
    readonly constructor: { readonly frame?: Frame };
  } | null;
  readonly _isServer?: boolean;
}

/** Writes one message; false when the socket cannot take it now (then use `send`). */
export type FrameWriter = (parts: readonly Uint8Array[], sent: () => void) => boolean;

/** Frames written onto a `ws` WebSocket's TCP socket, gathered a turn at a time. */
export interface WsFrames {
  readonly write: FrameWriter;
  /** Sends what this turn wrote now, not at its end (`ByteStream.flush`). */
  readonly flush: () => void;
}

/** RFC 6455 §5.2: FIN set, opcode 2 (binary frame). */
const FIN_BINARY = 0x82;

/**
 * {@link WsFrames} for `socket` (a `ws` WebSocket), or undefined when it does not look like one
 * of `ws` 8.
 *
 * The messages of one turn of the event loop leave in one `writev` once its I/O callbacks have
 * run (`setImmediate`), as `socketStream` gathers TCP writes: a relay's 200s and the chunks it
 * forwards from a read, large or small. (Each large message sent at once, the relay made 32
 * writes per MiB of 64 KiB chunks, against 4 over TCP; gathered, 4.2-4.4. relay-ws bench, 256
 * MiB, 3 runs alternated with the writer before: relay CPU 3.7-4.2 → 3.3-4.1 ms/MiB, sender
 * 2.2-2.4 → 2.0-2.3.)
 */
export function wsFrameWriter(socket: object): WsFrames | undefined {
  const ws = socket as WsInternals;
  if (typeof ws._isServer !== 'boolean') return undefined;
  const server = ws._isServer;
  let corked: RawSocket | undefined;
  const flush = (): void => {
    const raw = corked;
    corked = undefined;
    raw?.uncork();
  };
  const gather = (raw: RawSocket): void => {
    if (corked) return;
    corked = raw;
    raw.cork();
    setImmediate(flush);
  };
  const write: FrameWriter = (parts, sent) => {
    // Read at each message: a client has its TCP socket and sender only once connected.
    const raw = ws._socket;
    const sender = ws._sender;
    const frame = sender?.constructor.frame;
    // Anything queued in ws's sender must go first: let it queue this one too.
    if (!raw || sender?._state !== 0 || typeof frame !== 'function') return false;
    gather(raw);
    if (server) {
      // RFC 6455 §5.1: a server MUST NOT mask its frames: the parts go out as they are.
      let length = 0;
      for (const part of parts) length += part.length;
      raw.write(frameHeader(length));
      for (let i = 0; i < parts.length - 1; i++) raw.write(parts[i]!);
      raw.write(parts[parts.length - 1] ?? new Uint8Array(0), () => sent());
      return true;
    }
    // RFC 6455 §5.3: a client MUST mask every frame, with a fresh random key (ws picks it).
    const buffer = joined(parts);
    const [header, data] = frame(buffer, {
      fin: true,
      opcode: 2,
      mask: true,
      readOnly: false,
      rsv1: false,
    });
    raw.write(header!);
    raw.write(data ?? new Uint8Array(0), () => {
      // Written (or failed): the socket is done with it.
      recycle(buffer);
      sent();
    });
    return true;
  };
  return { write, flush };
}

/** An unmasked binary frame's header for a payload of `length` bytes (RFC 6455 §5.2). */
function frameHeader(length: number): Buffer {
  if (length < 126) return Buffer.from([FIN_BINARY, length]);
  if (length < 65536) {
    const header = Buffer.allocUnsafe(4);
    header[0] = FIN_BINARY;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.allocUnsafe(10);
  header[0] = FIN_BINARY;
  header[1] = 127;
  header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  header.writeUInt32BE(length >>> 0, 6);
  return header;
}

/** Messages at least this long are joined into a recycled buffer (a chunk's, typically). */
const POOL_MIN = 16 * 1024;
/** Free buffers kept, for all connections: about what is in flight under a 1 MiB write buffer. */
const POOL_MAX = 8;
/**
 * Buffers whose frame was written (its write callback came), free for the next message: a
 * 64 KiB chunk per message would otherwise be a fresh ArrayBuffer each, which the garbage
 * collector then spends time on (relay-ws bench: sender CPU per MiB -8%).
 */
const pool: ArrayBuffer[] = [];

/** A Buffer of `length` bytes, not zero-filled: recycled when long enough, else Node's. */
function take(length: number): Buffer<ArrayBuffer> {
  if (length < POOL_MIN) return Buffer.allocUnsafe(length);
  for (let i = pool.length - 1; i >= 0; i--) {
    const free = pool[i]!;
    // At most twice as large: a small message does not hold on to a large buffer.
    if (free.byteLength >= length && free.byteLength <= 2 * length) {
      pool.splice(i, 1);
      return Buffer.from(free, 0, length);
    }
  }
  return Buffer.from(new ArrayBuffer(Math.ceil(length / 4096) * 4096), 0, length);
}

/** Gives a buffer from {@link take} back, once nothing reads it any more. */
function recycle(buffer: Buffer<ArrayBuffer>): void {
  if (buffer.length >= POOL_MIN && pool.length < POOL_MAX) pool.push(buffer.buffer);
}

/** The parts in one Buffer of our own (not zero-filled: every byte is written). */
function joined(parts: readonly Uint8Array[]): Buffer<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = take(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
