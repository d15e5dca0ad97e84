import type { Socket, TcpNetConnectOpts } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import type { ByteStream, ByteStreamEvents } from '../transport/byte-stream.js';
import { returnRead } from '../transport/lent-reads.js';
import { endedWhilePaused, watchEndWhilePaused } from './peer-end.js';
import {
  kReadBuffers,
  kResumeOnOpen,
  readIntoBuffers,
  withReusedReads,
  type ReusingSocket,
} from './read-buffers.js';

/** The parts of a `net.Socket` read when the Duplex is one. */
interface SocketAddresses {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
}

/**
 * A {@link ByteStream} over any Node Duplex: a `net.Socket`, a `tls.TLSSocket`, one end of an
 * in-memory pair. Writes made in one turn of the event loop are corked and leave in one
 * writev once its I/O callbacks have run (`setImmediate`): the responses to every chunk of
 * the socket reads that turn delivered, and the chunks a writer cuts while it awaits its
 * source in between (an uncork per tick gave a writev per source piece, and the peer
 * a read and a write of 200s per chunk). A FIN that arrives while the stream is paused with
 * bytes unread is reported as `endWhilePaused`, which a paused Readable would otherwise hold
 * back until those bytes are read.
 *
 * Errors before {@link ByteStream.open} are kept and reported by it, so a socket that fails
 * between being dialed and being wrapped does not crash the process.
 * Wrap a duplex once: the stream is kept on it, for listeners shared by every stream.
 * @param remote Names the peer in logs. Default: the socket's `address:port`, else `?`.
 */
export function socketStream(
  duplex: Duplex,
  remote?: string,
  options: SocketStreamOptions = {},
): ByteStream {
  return new SocketStream(duplex, remote, options.writeBatch === 'tick');
}

/** Options of {@link socketStream}. */
export interface SocketStreamOptions {
  /**
   * How long writes are gathered into one writev: `'turn'` (default), every write of a turn
   * of the event loop, until its `setImmediate`; `'tick'`, the writes of one tick, until its
   * `process.nextTick` (sooner, in more writes).
   */
  writeBatch?: 'turn' | 'tick';
}

/**
 * Bytes a writer may queue before `write` says to wait for `drain`: enough for many chunks per
 * writev, little enough that a chat line queued behind them waits about a millisecond.
 * (1 MiB makes a writev carry ~100 chunks of 8 KiB instead of ~30 with 256 KiB: the sender's
 * CPU a chunk 6.2 → 4.9 µs, 1,270 → 1,510 MB/s, medians of 3 alternated runs, issue 12.)
 */
const WRITE_AHEAD = 1024 * 1024;

/**
 * Bytes a paused socket that reads into reused buffers reads on, held, before it stops: as a
 * paused Readable fills its buffer (Node 20's default highWaterMark), so that a FIN sent
 * behind them is seen while paused (`endWhilePaused`).
 */
const HOLD_WHILE_PAUSED = 16 * 1024;

/** Reads held while paused, in order. */
interface HeldReads {
  readonly views: Uint8Array[];
  bytes: number;
  /** False while a resume hands them over: a pause then stops it. */
  paused: boolean;
}

/** Lent views written to a socket, oldest first, and the write callback that gives one back. */
class LentWrites {
  readonly views: Uint8Array[] = [];
  readonly returnOldest = (): void => returnRead(this.views.shift()!);
}

/** A duplex holds its stream here, for the listeners below. */
const kStream = Symbol('socketStream');
type Tagged = Duplex & { [kStream]: SocketStream };

// The listeners, one set for every stream (`this` is the duplex, which holds its stream):
// eight closures and their context per connection were ~600 bytes (issue 13).
function onEarlyError(this: Tagged, error: Error): void {
  this[kStream].earlyError ??= error;
}
function onError(this: Tagged, error: Error): void {
  this[kStream].events!.error(error);
}
function onClose(this: Tagged): void {
  (this as Duplex as ReusingSocket)[kReadBuffers]?.close();
  closeStream(this[kStream]);
}
function onData(this: Tagged, bytes: Buffer): void {
  this[kStream].events!.data(bytes);
}
function onEnd(this: Tagged): void {
  this[kStream].events!.end();
}
function onDrain(this: Tagged): void {
  this[kStream].events!.drain();
}
function onFinish(this: Tagged): void {
  this[kStream].events!.finished();
}
function onReadable(this: Tagged): void {
  const stream = this[kStream];
  if (stream.endSeen || !endedWhilePaused(this)) return;
  stream.endSeen = true;
  stream.events!.endWhilePaused();
}
/** A read of a socket that reads into reused buffers (below): to its stream's owner. */
function onReusedRead(this: ReusingSocket, n: number): boolean {
  (this as unknown as Tagged)[kStream].reusedRead(this[kReadBuffers]!.read(n));
  return true;
}
function closeStream(stream: SocketStream): void {
  if (stream.closed) return;
  stream.closed = true;
  stream.events!.close();
}

/**
 * `address:port`, as logs name a peer, in a string of its own: a template literal (or a join)
 * of 13 characters or more is a cons string that holds its parts, three strings of ~90 bytes
 * where one takes ~40, for every connection's life (issue 13: memory per idle session).
 */
export function peerName(address: string, port: number | undefined): string {
  return Buffer.from(`${address}:${port ?? '?'}`, 'latin1').toString('latin1');
}

/**
 * A socket over an accepted TCP connection (from a server made with `pauseOnConnect`) that
 * reads into buffers used again once its stream's owner holds no view of them (see
 * node/read-buffers.ts), not into a new one per read; `accepted` itself where that cannot be
 * done. Wrap it with {@link socketStream}, which starts its reads when opened.
 */
export function reusingReads(accepted: Socket, idleHoldsNothing = false): Socket {
  return withReusedReads(accepted, onReusedRead, idleHoldsNothing);
}

/**
 * `net.connect(options)`, reading into buffers used again as {@link reusingReads} does. The
 * socket reads nothing before {@link socketStream} opens it.
 */
export function connectReusingReads(options: TcpNetConnectOpts): Socket {
  const { onread, adopt } = readIntoBuffers(onReusedRead);
  const socket = process.getBuiltinModule('node:net').connect({ ...options, onread });
  // Paused before it connects: its first read waits for the stream's owner.
  return adopt(socket.pause());
}

class SocketStream implements ByteStream {
  readonly remote: string;
  readonly remoteAddress: string | undefined;
  readonly #duplex: Duplex;
  #corked = false;
  readonly #perTick: boolean;
  /** Parts written lent, until the socket is done with them (see {@link #writeLent}). */
  #lent: LentWrites | undefined;
  /** Paused, a socket reading into reused buffers: its reads held since (see pause()). */
  #held: HeldReads | undefined;
  // For the listeners above (the class is not exported: socketStream() returns a ByteStream).
  earlyError: Error | undefined;
  events: ByteStreamEvents | undefined;
  closed = false;
  /** The peer's FIN was reported while paused (see node/peer-end.ts). */
  endSeen = false;

  constructor(duplex: Duplex, remote: string | undefined, perTick: boolean) {
    this.#duplex = duplex;
    this.#perTick = perTick;
    (duplex as Tagged)[kStream] = this;
    const { remoteAddress, remotePort } = duplex as SocketAddresses;
    this.remoteAddress = remoteAddress;
    this.remote =
      remote ?? (remoteAddress === undefined ? '?' : peerName(remoteAddress, remotePort));
    duplex.on('error', onEarlyError);
  }

  /** Shared by every stream, as the listeners are: no closure per connection. */
  static #uncork(stream: SocketStream): void {
    stream.#corked = false;
    stream.#duplex.uncork();
  }

  get localAddress(): string | undefined {
    return (this.#duplex as SocketAddresses).localAddress;
  }

  get bufferedAmount(): number {
    return this.#duplex.writableLength;
  }

  get writable(): boolean {
    return !this.#duplex.destroyed && !this.#duplex.writableEnded;
  }

  open(events: ByteStreamEvents): void {
    const duplex = this.#duplex;
    this.events = events;
    // Its buffers are read into again once nothing holds them (none are read before).
    const reads = (duplex as ReusingSocket)[kReadBuffers];
    if (reads) reads.reader = this;
    duplex.off('error', onEarlyError);
    duplex.on('error', onError);
    duplex.on('close', onClose);
    duplex.on('data', onData);
    // After the data listener: it relies on the stream being in flowing mode.
    if (watchEndWhilePaused(duplex)) duplex.prependListener('readable', onReadable);
    duplex.on('end', onEnd);
    duplex.on('drain', onDrain);
    duplex.on('finish', onFinish);
    // A socket made paused (reusingReads) reads from now on.
    if ((duplex as ReusingSocket)[kResumeOnOpen]) duplex.resume();
    if (this.earlyError) events.error(this.earlyError);
    // Closed before we listened: 'close' may have been emitted already (or be on its way).
    if (duplex.closed) process.nextTick(closeStream, this);
  }

  write(parts: readonly Uint8Array[], lent = false): boolean {
    const duplex = this.#duplex;
    if (!this.#corked) {
      this.#corked = true;
      duplex.cork();
      // By default not per tick: a writer awaiting its source ends ticks, not its run.
      if (this.#perTick) process.nextTick(SocketStream.#uncork, this);
      else setImmediate(SocketStream.#uncork, this);
    }
    if (lent) this.#writeLent(parts);
    else for (const bytes of parts) duplex.write(bytes);
    // The Duplex says "full" past its highWaterMark (16 KiB for a socket): two 8 KiB chunks.
    // Writing on to WRITE_AHEAD lets one writev carry many chunks; 'drain' still comes, as
    // the Duplex said "full" too.
    return duplex.writableLength < WRITE_AHEAD;
  }

  flush(): void {
    if (this.#corked) SocketStream.#uncork(this);
  }

  /**
   * Writes lent parts, given back as the socket is done with them: its write callbacks come
   * in the order of the writes, one each (with an error too), each for the oldest.
   */
  #writeLent(parts: readonly Uint8Array[]): void {
    const lent = (this.#lent ??= new LentWrites());
    for (const bytes of parts) {
      lent.views.push(bytes);
      this.#duplex.write(bytes, lent.returnOldest);
    }
  }

  /** Whether views of the reads delivered or held are still kept (see `ReadBuffers`). */
  holdsData(): boolean {
    return (this.#held?.views.length ?? 0) > 0 || this.events?.holdsData?.() !== false;
  }

  /** A read of a socket that reads into reused buffers: to the owner, or held while paused. */
  reusedRead(bytes: Buffer): void {
    const held = this.#held;
    if (held === undefined) return this.events!.data(bytes);
    held.views.push(bytes);
    // Enough: reading stops (Node's pause of such a socket); a later FIN waits for a resume.
    if ((held.bytes += bytes.length) >= HOLD_WHILE_PAUSED) this.#duplex.pause();
  }

  pause(): void {
    const duplex = this.#duplex;
    if ((duplex as ReusingSocket)[kReadBuffers] === undefined) {
      duplex.pause();
      return;
    }
    // Node stops such a socket's reads at once, where a paused Readable reads on to its
    // highWaterMark, and would so miss a FIN sent right behind what made us pause (a sender
    // the relay holds back that goes away): it reads on, holding what comes, as a Readable.
    (this.#held ??= { views: [], bytes: 0, paused: true }).paused = true;
    Readable.prototype.pause.call(duplex);
  }

  resume(): void {
    const duplex = this.#duplex;
    if (duplex.destroyed) return;
    const held = this.#held;
    if (held !== undefined) {
      held.paused = false;
      // In order, until what they set off pauses again: the rest stays held.
      while (held.views.length > 0 && !held.paused) {
        const bytes = held.views.shift()!;
        held.bytes -= bytes.length;
        this.events!.data(bytes);
      }
      // Paused again; or a resume nested in a delivery above handed the rest on, and what
      // paused after it holds anew: clearing that (and resuming) let the socket flow on.
      if (held.paused || this.#held !== held) return;
      this.#held = undefined;
    }
    duplex.resume();
  }

  end(): void {
    this.#duplex.end();
  }

  destroy(error?: Error): void {
    this.#duplex.destroy(error);
  }
}
