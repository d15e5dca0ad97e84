// File hashes off the main thread: SHA-256 of a 1 GiB file costs ~0.65 s of CPU, which on the
// main thread adds to the time the transfer takes; in a worker it overlaps with it.
// worker_threads, os and crypto load on first use (process.getBuiltinModule), not with
// msrp-core: a 2-core machine never starts the worker, and worker_threads alone is 1.2 MiB of
// file-backed RSS in every process that imports it (issue 12).
import type { Worker } from 'node:worker_threads';
import { MsrpError } from '../errors.js';
import type { HashAlgorithm, Hasher, HasherFactory } from '../session/hasher.js';
import { nodeHasher } from './node-hasher.js';

/** Bytes copied together before they go to the worker: one message per 256 KiB. */
const BATCH = 256 * 1024;
/** Bytes the worker may be behind before `ready()` asks the reader to wait. */
const MAX_BEHIND = 4 * 1024 * 1024;
/** Batch buffers the worker gave back, for reuse (at most `POOL`). */
const pool: Uint8Array<ArrayBuffer>[] = [];
const POOL = MAX_BEHIND / BATCH + 2;
/** The worker ends after this long without a hash to compute. */
const IDLE_MS = 2000;

const NAMES: Partial<Record<HashAlgorithm, string>> = { 'sha-1': 'sha1', 'sha-256': 'sha256' };

// The worker's code, evaluated (no file to find from source, from dist or in a bundle).
const WORKER_CODE = `
const { createHash } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.algorithm !== undefined) hashes.set(m.id, createHash(m.algorithm));
  else if (m.drop) hashes.delete(m.id);
  else if (m.bytes !== undefined) {
    hashes.get(m.id).update(new Uint8Array(m.bytes, 0, m.length));
    // The buffer goes back to be filled again: no 1 MiB allocation per batch on either side.
    parentPort.postMessage({ id: m.id, hashed: m.length, bytes: m.bytes }, [m.bytes]);
  } else {
    const digest = hashes.get(m.id).digest();
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, digest });
  }
});
`;

type Reply =
  | { readonly id: number; readonly hashed: number; readonly bytes: ArrayBuffer }
  | { readonly id: number; readonly digest: Uint8Array };

/** The one worker of the process, started on the first file over a batch, ended when idle. */
class HashWorker {
  static #current: HashWorker | undefined;
  readonly #worker: Worker;
  readonly #streams = new Map<number, WorkerHasher>();
  #nextId = 1;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #holds = 0;

  static get(): HashWorker {
    HashWorker.#current ??= new HashWorker();
    return HashWorker.#current;
  }

  private constructor() {
    // It holds no data of its own (batches come and go): a small heap keeps its RSS small.
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    this.#worker = new Worker(WORKER_CODE, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
    });
    this.#worker.on('message', (reply: Reply) => {
      const stream = this.#streams.get(reply.id);
      if ('hashed' in reply && pool.length < POOL) pool.push(new Uint8Array(reply.bytes));
      if (!stream) return;
      if ('hashed' in reply) {
        stream.hashed(reply.hashed);
      } else {
        this.#streams.delete(reply.id);
        stream.done(new Uint8Array(reply.digest));
        this.#maybeIdle();
      }
    });
    this.#worker.on('error', (e) => this.#fail(e));
    this.#worker.on('exit', () => this.#fail(new Error('the hash worker exited')));
    // Keeps the process alive only while someone awaits it (hold): a hash left unfinished by
    // a cut transfer must not. After the listeners, which would ref its port again.
    this.#worker.unref();
  }

  /** Someone awaits the worker (a digest, room to hash more): keep the process alive. */
  hold(): void {
    if (this.#holds++ === 0) this.#worker.ref();
  }

  /** What {@link hold} waited for came. */
  release(): void {
    if (--this.#holds === 0) this.#worker.unref();
  }

  open(stream: WorkerHasher, algorithm: string): number {
    clearTimeout(this.#idle);
    const id = this.#nextId++;
    this.#streams.set(id, stream);
    this.#worker.postMessage({ id, algorithm });
    return id;
  }

  /** Hands `bytes` over (moved, not copied: the caller keeps no view of them). */
  update(id: number, bytes: Uint8Array<ArrayBuffer>, length: number): void {
    this.#worker.postMessage({ id, bytes: bytes.buffer, length }, [bytes.buffer]);
  }

  end(id: number): void {
    this.#worker.postMessage({ id });
  }

  /** Forgets hash `id` on both sides: no digest will be asked for (a cut transfer). */
  drop(id: number): void {
    if (!this.#streams.delete(id)) return;
    this.#worker.postMessage({ id, drop: true });
    this.#maybeIdle();
  }

  /** The hashes open in the process's worker, 0 when none runs. */
  static openHashes(): number {
    const current = HashWorker.#current;
    return current === undefined ? 0 : current.#streams.size;
  }

  #maybeIdle(): void {
    if (this.#streams.size > 0) return;
    this.#idle = setTimeout(() => {
      if (HashWorker.#current === this) HashWorker.#current = undefined;
      pool.length = 0;
      void this.#worker.terminate();
    }, IDLE_MS);
    this.#idle.unref();
  }

  #fail(cause: Error): void {
    if (HashWorker.#current === this) HashWorker.#current = undefined;
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    for (const stream of streams) stream.failed(cause);
  }
}

/**
 * A {@link Hasher} whose bytes are hashed in a worker thread: `update` copies them into a
 * 256 KiB batch that moves to the worker when full, `ready()` tells a reader to wait while the
 * worker is more than 4 MiB behind, and `finish()` resolves with the digest. Inputs that
 * never fill a batch are hashed on the spot at the end (no worker, and `digest()` works).
 */
class WorkerHasher implements Hasher {
  readonly #name: string;
  #batch: Uint8Array<ArrayBuffer> | undefined;
  #fill = 0;
  #id: number | undefined;
  #worker: HashWorker | undefined;
  #behind = 0;
  #waiting: Array<() => void> = [];
  #digest: Uint8Array | undefined;
  #finished: Promise<Uint8Array> | undefined;
  #settle: { resolve: (d: Uint8Array) => void; reject: (e: Error) => void } | undefined;
  #failure: Error | undefined;

  constructor(name: string) {
    this.#name = name;
  }

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length;) {
      this.#batch ??= pool.pop() ?? new Uint8Array(BATCH);
      const n = Math.min(BATCH - this.#fill, bytes.length - at);
      this.#batch.set(bytes.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === BATCH) this.#post();
    }
  }

  ready(): Promise<void> | undefined {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#behind <= MAX_BEHIND) return undefined;
    const worker = this.#worker!;
    worker.hold();
    return new Promise((resolve) =>
      this.#waiting.push(() => {
        worker.release();
        resolve();
      }),
    );
  }

  finish(): Promise<Uint8Array> {
    this.#finished ??= this.#finishNow();
    return this.#finished;
  }

  digest(): Uint8Array {
    if (this.#digest) return this.#digest;
    if (this.#id === undefined) {
      this.#digest = this.#inline();
      return this.#digest;
    }
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      'A worker hash is known once finish() resolved',
    );
  }

  dispose(): void {
    if (this.#id === undefined || this.#digest !== undefined || this.#finished) return;
    this.#worker!.drop(this.#id);
    if (this.#batch && pool.length < POOL) pool.push(this.#batch);
    this.#batch = undefined;
    this.#fill = 0;
    // Later bytes are dropped (#post), finish() rejects, and no reader waits on it any more.
    this.#failure = new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'The hash was disposed');
    for (const wake of this.#waiting.splice(0)) wake();
  }

  /** @internal The worker hashed `bytes` more. */
  hashed(bytes: number): void {
    this.#behind -= bytes;
    if (this.#behind > MAX_BEHIND) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }

  /** @internal The worker's digest. */
  done(digest: Uint8Array): void {
    this.#digest = digest;
    const settle = this.#settle;
    this.#settle = undefined; // once: a later failure of the worker is not this hash's
    settle?.resolve(digest);
  }

  /** @internal The worker failed. */
  failed(cause: Error): void {
    this.#failure = new MsrpError('MSRP_ERR_FILE', `Hashing failed: ${cause.message}`, { cause });
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.reject(this.#failure);
    for (const wake of this.#waiting.splice(0)) wake();
  }

  #finishNow(): Promise<Uint8Array> {
    if (this.#id === undefined) return Promise.resolve(this.digest());
    if (this.#failure) return Promise.reject(this.#failure);
    const worker = this.#worker!;
    worker.hold();
    const digest = new Promise<Uint8Array>((resolve, reject) => {
      this.#settle = {
        resolve: (d) => {
          worker.release();
          resolve(d);
        },
        reject: (e) => {
          worker.release();
          reject(e);
        },
      };
    });
    if (this.#fill > 0) this.#post();
    this.#worker!.end(this.#id);
    return digest;
  }

  #inline(): Uint8Array {
    const hash = process.getBuiltinModule('node:crypto').createHash(this.#name);
    if (this.#batch) hash.update(this.#batch.subarray(0, this.#fill));
    this.#batch = undefined;
    return hash.digest();
  }

  #post(): void {
    if (this.#failure) {
      // finish() reports the failure; the bytes are dropped.
      this.#fill = 0;
      return;
    }
    this.#worker ??= HashWorker.get();
    this.#id ??= this.#worker.open(this, this.#name);
    this.#worker.update(this.#id, this.#batch!, this.#fill);
    this.#behind += this.#fill;
    this.#batch = undefined;
    this.#fill = 0;
  }
}

/** The hashes open in the process's hash worker (0 when none runs): for tests. */
export function openWorkerHashes(): number {
  return HashWorker.openHashes();
}

/**
 * A {@link HasherFactory} that hashes files (SHA-256, SHA-1) in a worker thread, so that a
 * transfer runs at the rate of the slower of the network and the hash, not their sum; other
 * algorithms (MD5 of digest authentication) are `nodeHasher`'s. Node's endpoint uses it for
 * files unless given a `createHasher`.
 */
export const workerHasher: HasherFactory = (algorithm) => {
  const name = NAMES[algorithm];
  return name === undefined ? nodeHasher(algorithm) : new WorkerHasher(name);
};

/**
 * The file hasher for a machine with `cores` cores: {@link workerHasher} when there are more
 * than 2, else `nodeHasher`. A worker only speeds a transfer up when a core is idle for it,
 * and costs ~10 MiB of RSS (its V8 isolate; measured 42.4 → 52.5 MiB); on 2 cores the other
 * one is busy with the peer, the kernel or the disk (`msrp send` → `msrp listen` on one
 * 2-core machine went as fast without it, and 12 MiB smaller each).
 */
export function fileHasherFor(cores: number): HasherFactory {
  return cores > 2 ? workerHasher : nodeHasher;
}

/** The file hasher Node's Endpoint and PartialFile use unless given one: {@link fileHasherFor} this machine. */
export function defaultFileHasher(): HasherFactory {
  return fileHasherFor(process.getBuiltinModule('node:os').availableParallelism());
}
