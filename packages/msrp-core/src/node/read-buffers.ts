// Connections that read into buffers used again, not into a new one per read. Node reads a
// socket into a fresh 64 KiB allocation per read, freed only by the scavenge that finds it
// dead: a receiver's reads waited for it by megabytes (issue 12: 4-9 MiB of ArrayBuffers at
// `msrp listen`'s peak). With `onread` (Node's documented option of `net.connect` and
// `new net.Socket`) a socket reads where we say; Node gives servers no such option, so an
// accepted socket is given the state that option sets (withReusedReads).
import type { Socket } from 'node:net';
import { reuseRead, type ReusedRead } from '../transport/lent-reads.js';

/** Bytes of the block a busy connection reads into: what Node reads at most at once. */
const BLOCK = 64 * 1024;
/**
 * A read shorter than this is copied out of the scratch into a buffer of its own; one of this
 * much or more is a busy connection's (unless {@link ReadBuffers} holds nothing idle).
 */
const SMALL = 2 * 1024;
/** A block's free tail shorter than this is not read into: a fresh block is (fewer reads). */
const MIN_TAIL = 16 * 1024;
/**
 * Free blocks kept for the process's connections, at most (4 MiB), while one is open: a file
 * received at 8 KiB chunks has ~45 blocks lent at its peak (`msrp listen`, 256 MiB: 43), and
 * with 16 kept one in three reads took a new one.
 */
const POOL = 64;

/** Blocks made so far: to see the reuse at work (tests). */
let made = 0;

/** How many read blocks this process made so far. */
export function readBlocksMade(): number {
  return made;
}

class Block implements ReusedRead {
  /** Not zero-filled: a read overwrites what is handed on. A Buffer, as Node's reads are. */
  readonly bytes = Buffer.allocUnsafeSlow(BLOCK);
  /** Bytes in use from its start: copies out of the scratch go after them. */
  at = 0;
  lent = 0;
  /** Given up by its connection while views were lent: pooled once they all came back. */
  retired = false;
  /** The connection it is the block of. */
  owner: ReadBuffers | undefined;

  constructor() {
    made++;
    reuseRead(this.bytes.buffer, this);
  }

  returned(): void {
    if (this.retired) pool.put(this);
    else this.owner?.blockReturned(this);
  }
}

/** The free blocks of full size, shared by every connection. */
const pool = {
  free: [] as Block[],
  /**
   * What every quiet connection reads into, copied out of at each read: nothing of it is
   * held past a read, so an idle connection holds no buffer (issue 13: memory per session).
   * Made once, kept: quiet sockets may be handed it at any time.
   */
  scratch: undefined as Buffer | undefined,
  /** Connections that read into blocks: when none is left, the free blocks go. */
  users: 0,
  take(): Block {
    return this.free.pop() ?? new Block();
  },
  put(block: Block): void {
    block.retired = false;
    block.at = 0;
    block.owner = undefined;
    // Given back after the last connection closed: nobody would take it.
    if (this.users > 0 && this.free.length < POOL) this.free.push(block);
  },
};

/**
 * Where one connection reads. While busy (see the constructor), a {@link BLOCK} of the shared
 * pool, read into again once no view of it is lent (`lendRead`) and its {@link reader} holds
 * none, else given up: pooled once the last lent view comes back (`returnReads`). Otherwise
 * the scratch all quiet connections share, each read copied out of it (a few bytes, where
 * Node would allocate 64 KiB and shrink it).
 */
export class ReadBuffers {
  /**
   * Who is handed the reads: it may still hold views of the last one (a paused parser's
   * queue) unless it says otherwise. An object, not a closure: a relay holds thousands of
   * quiet connections (issue 13: memory per session).
   */
  reader: { holdsData?(): boolean } | undefined;
  readonly #idleHoldsNothing: boolean;
  #big: Block | undefined;
  /** Blocks read into no more while the reader held views of them (see {@link #retire}). */
  #kept: Block[] | undefined;
  /** Whether it counts among the pool's users (from its first block on). */
  #user = false;
  /** The block of the region handed for the next read (none: the scratch), where it starts. */
  #block: Block | undefined;
  #start = 0;
  /** Whether the next read goes straight into a block (see the constructor). */
  #busy = false;
  /**
   * A read is being handed to the reader: from {@link read} until Node asks for the next
   * region. Views of it are lent one frame after another meanwhile, so that its block may
   * have none lent for a moment while the frames after still lie in it.
   */
  #delivering = false;

  /**
   * @param idleHoldsNothing For a process with many connections, mostly quiet (a relay): a
   * connection reads straight into a block only while its reads fill what they are given (the
   * socket had more); after any other read, into the scratch, copied out of it, so that one
   * falling silent after a burst holds no block (Node's own reads hold nothing between reads;
   * 64 KiB each would be 640 MiB for 10,000 such). Otherwise a connection reads into a block
   * after any read of {@link SMALL} or more, zero-copy, and keeps it till a shorter one.
   */
  constructor(idleHoldsNothing = false) {
    this.#idleHoldsNothing = idleHoldsNothing;
  }

  /**
   * The bytes of the read just done into what {@link next} gave: `n` of them. A Buffer, as
   * Node's own reads are (the relay's fast path reads them with Buffer's methods).
   */
  read(n: number): Buffer {
    this.#delivering = true;
    const block = this.#block;
    // Into a block from #start, or the whole scratch: whether it filled what it was given.
    const end = block === undefined ? n : this.#start + n;
    this.#busy = this.#idleHoldsNothing ? end === BLOCK : n >= SMALL;
    if (block !== undefined) {
      block.at = end;
      return block.bytes.subarray(this.#start, end);
    }
    // Read into the scratch, which the next quiet connection reads into: copied out, a few
    // bytes into a buffer of their own, more after what its block holds (no garbage).
    const scratch = pool.scratch!;
    if (n < SMALL) {
      const bytes = Buffer.allocUnsafe(n);
      scratch.copy(bytes, 0, 0, n);
      return bytes;
    }
    // After what its block holds, if they fit.
    const target = this.#blockWithRoom(n, this.#holding());
    const start = target.at;
    scratch.copy(target.bytes, start, 0, n);
    target.at = start + n;
    return target.bytes.subarray(start, start + n);
  }

  /**
   * The region for the next read (called by Node after each read, and once before the first,
   * as a plain function: bound, a closure and its context would take twice the memory).
   */
  readonly next: () => Uint8Array = this.#next.bind(this);

  #next(): Uint8Array {
    this.#delivering = false;
    const holding = this.#holding();
    if (!holding && this.#kept !== undefined) this.#release();
    this.#block = undefined;
    if (!this.#busy) {
      // Quiet: the next read lands in the scratch. Its block stays for the copies out of it
      // while views of it are out, else goes back (see blockReturned).
      const big = this.#big;
      if (big !== undefined && big.lent === 0 && !holding) {
        this.#big = undefined;
        pool.put(big);
      }
      return (pool.scratch ??= Buffer.allocUnsafeSlow(BLOCK));
    }
    const block = (this.#block = this.#blockWithRoom(MIN_TAIL, holding));
    this.#start = block.at;
    return block.bytes.subarray(block.at);
  }

  /**
   * The last lent view of `block`, not retired, came back: a quiet connection's block goes
   * back to the pool (Node holds the scratch for its next read). Not while a read of it is
   * being handed on: its frames after the one given back are still to be read (and lent),
   * and another connection would read over them; {@link next} pools it once that read is done.
   */
  blockReturned(block: Block): void {
    if (this.#delivering || this.#busy || block !== this.#big || this.#holding()) return;
    this.#big = undefined;
    pool.put(block);
  }

  /** Whether the reader still holds views of what it was handed (a paused parser's queue). */
  #holding(): boolean {
    return this.reader?.holdsData?.() !== false;
  }

  /**
   * Its block with `n` bytes of room: from its start if nothing of it is lent or held, else
   * after what is; a fresh one where that leaves less (this one retired).
   */
  #blockWithRoom(n: number, holding: boolean): Block {
    let block = this.#big;
    if (block !== undefined) {
      if (block.lent === 0 && !holding) block.at = 0;
      if (block.at + n > BLOCK) {
        this.#retire(block, holding);
        block = undefined;
      }
    }
    return (this.#big = block ?? this.#take());
  }

  /** A block of the pool, for this connection. */
  #take(): Block {
    if (!this.#user) {
      this.#user = true;
      pool.users++;
    }
    const block = pool.take();
    block.owner = this;
    return block;
  }

  /** The connection is gone: its blocks go back to the pool once no view of them is lent. */
  close(): void {
    if (this.#kept !== undefined) this.#release();
    const big = this.#big;
    this.#big = this.#block = undefined;
    if (big !== undefined) this.#retire(big, false);
    if (this.#user && --pool.users === 0) pool.free.length = 0;
    this.#user = false;
  }

  /**
   * `block` is read into no more: pooled once its lent views come back and, while its reader
   * holds some too, once it lets go ({@link #release}): another connection would read over them.
   */
  #retire(block: Block, holding: boolean): void {
    if (holding) (this.#kept ??= []).push(block);
    else {
      block.retired = true;
      if (block.lent === 0) pool.put(block);
    }
  }

  /** The reader holds nothing any more: the blocks kept for it go. */
  #release(): void {
    for (const block of this.#kept!) this.#retire(block, false);
    this.#kept = undefined;
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
    adopt: (socket) => adopt(socket, reads),
  };
}

/**
 * Marks `socket` as reading into `reads` (none: Node's own reads), and as paused until its
 * stream opens it, which also closes the buffers (on 'close').
 */
function adopt(socket: Socket, reads?: ReadBuffers): ReusingSocket {
  const reusing: ReusingSocket = socket;
  if (reads !== undefined) reusing[kReadBuffers] = reads;
  reusing[kResumeOnOpen] = true;
  return reusing;
}

/** Node's own keys of a socket's `onread` state, as `new net.Socket({ onread })` sets it. */
interface OnReadKeys {
  readonly buffer: symbol;
  readonly next: symbol;
  readonly callback: symbol;
}

/** Found on the first socket accepted; null where this Node has none such. */
let onReadKeys: OnReadKeys | null | undefined;

function findOnReadKeys(socket: Socket): OnReadKeys | null {
  const keys = new Map(Object.getOwnPropertySymbols(socket).map((key) => [key.description, key]));
  const buffer = keys.get('kBuffer');
  const next = keys.get('kBufferGen');
  const callback = keys.get('kBufferCb');
  return buffer && next && callback ? { buffer, next, callback } : null;
}

/**
 * `accepted` set to read into {@link ReadBuffers}, as `new net.Socket({ onread })` would
 * have made it, or left to Node's reads where its internals differ (no `useUserBuffer` on its
 * handle, or no `onread` state). `accepted` comes from a server made with `pauseOnConnect`
 * (nothing was read yet), and reads nothing until `socketStream` opens it, which then hands
 * each read to its owner. Set on the socket Node made, not on a second one over its handle:
 * 0.9 KiB less per connection, a relay's idle sessions counted (issue 13).
 */
export function withReusedReads(
  accepted: Socket,
  onRead: OnRead['callback'],
  idleHoldsNothing = false,
): ReusingSocket {
  const handle = (accepted as unknown as { _handle?: { useUserBuffer?: unknown } | null })._handle;
  const keys = (onReadKeys ??= findOnReadKeys(accepted));
  if (typeof handle?.useUserBuffer !== 'function' || keys === null) return adopt(accepted);
  const reads = new ReadBuffers(idleHoldsNothing);
  const first = reads.next();
  const state = accepted as unknown as Record<symbol, unknown>;
  state[keys.buffer] = first;
  state[keys.next] = reads.next;
  state[keys.callback] = onRead;
  (handle.useUserBuffer as (buffer: Uint8Array) => void).call(handle, first);
  return adopt(accepted, reads);
}
