// Connections that read into buffers used again, not into a new one per read. Node reads a
// socket into a fresh 64 KiB allocation per read, freed only by the scavenge that finds it
// dead: a receiver's reads waited for it by megabytes (issue 12: 4-9 MiB of ArrayBuffers at
// `msrp listen`'s peak). With `onread` (Node's documented option of `net.connect` and
// `new net.Socket`) a socket reads where we say; Node gives servers no such option, so an
// accepted connection's handle is moved to a socket made with it (withReusedReads).
import type { Socket } from 'node:net';
import { reuseRead, type ReusedRead } from '../transport/lent-reads.js';

/** Bytes of the block a busy connection reads into: what Node reads at most at once. */
const BLOCK = 64 * 1024;
/** A block's free tail shorter than this is not read into: a fresh block is (fewer reads). */
const MIN_TAIL = 16 * 1024;
/** What a connection reads into after a short read: all that an idle connection holds. */
const SMALL = 2 * 1024;
/**
 * Free blocks kept for the process's connections, at most (4 MiB), while one is open: a file
 * received at 8 KiB chunks has ~45 blocks lent at its peak (`msrp listen`, 256 MiB: 43), and
 * with 16 kept one in three reads took a new one.
 */
const POOL = 64;

/** Blocks made so far, of both sizes: to see the reuse at work (tests). */
let made = 0;

/** How many read blocks this process made so far. */
export function readBlocksMade(): number {
  return made;
}

class Block implements ReusedRead {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Where the next read may go: the bytes before it may still be read. */
  at = 0;
  lent = 0;
  /** Given up by its connection while views were lent: pooled once they all came back. */
  retired = false;

  constructor(size: number) {
    // Not zero-filled: a read overwrites what is handed on.
    const buffer = Buffer.allocUnsafeSlow(size);
    made++;
    this.bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, size);
    reuseRead(this.bytes.buffer, this);
  }

  returned(): void {
    if (this.retired) pool.put(this);
  }

  get room(): number {
    return this.bytes.length - this.at;
  }
}

/** The free blocks of full size, shared by every connection. */
const pool = {
  free: [] as Block[],
  /** Connections reading into blocks: when none is left, the free blocks go. */
  users: 0,
  take(): Block {
    return this.free.pop() ?? new Block(BLOCK);
  },
  put(block: Block): void {
    block.retired = false;
    block.at = 0;
    // Given back after the last connection closed: nobody would take it.
    if (this.users > 0 && this.free.length < POOL) this.free.push(block);
  },
};

/**
 * Where one connection reads: a {@link BLOCK} from the shared pool while it is busy, a
 * {@link SMALL} buffer of its own after a short read (an idle connection holds no more). A
 * block is read into from its start again once no view of it is lent (`lendRead`) and its
 * reader holds none ({@link holds}); a block whose views are lent is read into no more, and
 * goes back to the pool when the last comes back (`returnReads`).
 */
export class ReadBuffers {
  constructor() {
    pool.users++;
  }

  /** Whether the reader still holds views of the last read (a paused parser's queue). */
  holds: () => boolean = () => true;
  #big: Block | undefined;
  #small: Block | undefined;
  /** The block of the region handed for the next read, and where the region starts. */
  #block: Block | undefined;
  #start = 0;
  /** Bytes of the last read. */
  #read = 0;

  /** The bytes of the read just done into the region {@link next} gave: `n` of them. */
  read(n: number): Uint8Array {
    const block = this.#block!;
    block.at = this.#start + n;
    this.#read = n;
    return new Uint8Array(block.bytes.buffer, this.#start, n);
  }

  /** The region for the next read (called by Node after each read, and once before the first). */
  readonly next = (): Uint8Array => {
    const last = this.#block;
    const held = last !== undefined && this.holds();
    // A read that filled a small buffer, or more than one's worth: more is on its way.
    const busy = this.#read >= SMALL;
    let block: Block;
    if (busy) {
      block = this.#big ?? pool.take();
      if (!this.#fits(block, last, held, MIN_TAIL)) {
        block.retired = true;
        block = pool.take();
      }
      this.#big = block;
    } else {
      this.#giveBack(last, held);
      block = this.#small ?? new Block(SMALL);
      if (!this.#fits(block, last, held, SMALL / 4)) block = new Block(SMALL);
      this.#small = block;
    }
    this.#block = block;
    this.#start = block.at;
    return block.bytes.subarray(block.at);
  };

  /** The connection is gone: its block goes back to the pool once no view of it is lent. */
  close(): void {
    const big = this.#big;
    this.#big = this.#small = this.#block = undefined;
    if (big !== undefined) {
      big.retired = true;
      if (big.lent === 0) pool.put(big);
    }
    if (--pool.users === 0) pool.free.length = 0;
  }

  /** Whether `block` has room for a read, from its start if nothing of it is still read. */
  #fits(block: Block, last: Block | undefined, held: boolean, least: number): boolean {
    if (block.lent === 0 && !(held && block === last)) block.at = 0;
    return block.room >= least;
  }

  /** Going quiet: the big block goes back to the pool, now or once its views come back. */
  #giveBack(last: Block | undefined, held: boolean): void {
    const big = this.#big;
    if (big === undefined) return;
    this.#big = undefined;
    // Held by the reader: dropped (the rare case of a parser paused on a short read).
    if (held && big === last) return;
    big.retired = true;
    if (big.lent === 0) pool.put(big);
  }
}

/** A socket that reads into {@link ReadBuffers} keeps them here, for `socketStream`. */
export const kReadBuffers = Symbol('readBuffers');
/** Set on a socket made paused, which `socketStream` resumes once it listens. */
export const kResumeOnOpen = Symbol('resumeOnOpen');

/** A socket that reads into {@link ReadBuffers} ({@link readIntoBuffers}). */
export type ReusingSocket = Socket & { [kReadBuffers]?: ReadBuffers; [kResumeOnOpen]?: true };

/** Node's `onread` option of a socket: where to read, and who is told. */
export interface OnRead {
  buffer: () => Uint8Array;
  /** True: reads go on (the stream's owner pauses the socket itself when it must). */
  callback: (this: ReusingSocket, n: number) => boolean;
}

/** What `new net.Socket` takes beyond its typed options (Node's own accept path passes them). */
interface HandleOptions {
  handle: unknown;
  readable: boolean;
  writable: boolean;
  pauseOnCreate: boolean;
  onread: OnRead;
}

/**
 * The `onread` option that reads into new {@link ReadBuffers}, telling `onRead`, and what
 * marks the socket made with it as theirs ({@link adopt}).
 */
export function readIntoBuffers(onRead: OnRead['callback']): {
  onread: OnRead;
  adopt: (socket: Socket) => ReusingSocket;
} {
  const reads = new ReadBuffers();
  return {
    onread: { buffer: reads.next, callback: onRead },
    adopt: (socket) => {
      const reusing: ReusingSocket = socket;
      reusing[kReadBuffers] = reads;
      reusing[kResumeOnOpen] = true;
      socket.once('close', () => reads.close());
      return reusing;
    },
  };
}

/**
 * A socket over `accepted`'s connection that reads into {@link ReadBuffers}, or `accepted`
 * itself where its handle cannot be moved (a Node whose internals differ). `accepted` comes
 * from a server made with `pauseOnConnect` (nothing was read yet); it is destroyed without
 * closing the connection, which the socket returned owns. Either reads nothing until
 * `socketStream` opens it, which then hands each read to its owner.
 */
export function withReusedReads(accepted: Socket, onRead: OnRead['callback']): ReusingSocket {
  const internal = accepted as unknown as { _handle?: { useUserBuffer?: unknown } | null };
  const handle = internal._handle;
  if (typeof handle?.useUserBuffer !== 'function') {
    const same: ReusingSocket = accepted;
    same[kResumeOnOpen] = true;
    return same;
  }
  internal._handle = null; // so that destroy() leaves the connection open
  accepted.destroy();
  const { onread, adopt } = readIntoBuffers(onRead);
  const options: HandleOptions = {
    handle,
    readable: true,
    writable: true,
    pauseOnCreate: true,
    onread,
  };
  const { Socket: NetSocket } = process.getBuiltinModule('node:net');
  return adopt(new NetSocket(options));
}
