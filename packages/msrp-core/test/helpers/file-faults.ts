// The file-fault property's runs (file-abort.property.test.ts): a file of any size, chunked,
// hashed, saved one of three ways, and what goes wrong; and the small checks it uses.
import { createHash } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import fc from 'fast-check';
import { formatHash } from '../../src/index.js';
import type { Cut } from './cut-pair.js';

export type Algorithm = 'sha-256' | 'sha-1';
export type Fault =
  | { kind: 'none' }
  /** The sender's signal aborts as sendFile is called (the file still opening). */
  | { kind: 'abort-open' }
  /** The sender aborts, the receiver discards, once `at` thousandths of the file are confirmed. */
  | { kind: 'abort' | 'discard'; at: number }
  /** The connection is cut after `at` thousandths of what that side writes whole. */
  | { kind: 'cut'; from: Cut['from']; at: number };

export const sha = (algorithm: Algorithm, bytes: Uint8Array): string =>
  `${algorithm}:${formatHash(
    createHash(algorithm === 'sha-1' ? 'sha1' : 'sha256')
      .update(bytes)
      .digest(),
  )}`;

/** Fails with `what` when `promise` has not settled within `ms`: a hang is a failure. */
export async function settles<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** File descriptors this process holds open on files under `dir`. */
export function fdsUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // Closed between the listing and the look.
    }
  }
  return n;
}

/** What goes wrong during the first try (mid-transfer faults weighted up). */
const faults: fc.Arbitrary<Fault> = fc.oneof(
  fc.constant<Fault>({ kind: 'none' }),
  fc.constant<Fault>({ kind: 'abort-open' }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('abort' as const), at: fc.nat(1000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('discard' as const), at: fc.nat(1000) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('cut' as const),
      from: fc.constantFrom<Cut['from']>('dialer', 'receiver'),
      at: fc.nat(1100),
    }),
  },
);

/** A file, how it is sent and saved, and what goes wrong (see file-abort.property.test.ts). */
export const scenarios = fc
  .record({
    chunkSize: fc.oneof(fc.constantFrom(1024, 8192, 65_536), fc.integer({ min: 1, max: 70_000 })),
    // Sizes: a few octets, around a chunk boundary (multiples and ±1), any up to 3 MiB.
    shape: fc.oneof(
      fc.record({ kind: fc.constant('small' as const), n: fc.nat(3) }),
      fc.record({
        kind: fc.constant('boundary' as const),
        n: fc.integer({ min: 1, max: 4 }),
        delta: fc.integer({ min: -1, max: 1 }),
      }),
      fc.record({ kind: fc.constant('any' as const), n: fc.integer({ min: 0, max: 3 << 20 }) }),
    ),
    hash: fc.constantFrom<Algorithm | undefined>(undefined, 'sha-256', 'sha-1'),
    worker: fc.boolean(),
    confirmWhenRead: fc.boolean(),
    inMemoryThreshold: fc.constantFrom(0, 64 * 1024),
    save: fc.constantFrom('saveTo' as const, 'partial' as const, 'blob' as const),
    expected: fc.constantFrom('none' as const, 'none' as const, 'right' as const, 'wrong' as const),
    refuseMismatch: fc.boolean(),
    fault: faults,
    /** Resume in-session (`offset`, `confirmedBytes`) where it may, else by range (RFC 5547 §6). */
    inSession: fc.boolean(),
    /** Loopback TCP (no cut there), else in memory. */
    tcp: fc.boolean(),
    /** The size of another file sent beside it on the same session, saved with saveTo. */
    beside: fc.option(fc.integer({ min: 0, max: 1 << 20 }), { nil: undefined }),
  })
  .map((s) => {
    const { shape, chunkSize } = s;
    const size =
      shape.kind === 'small'
        ? shape.n
        : shape.kind === 'boundary'
          ? Math.max(0, Math.min(shape.n * chunkSize, 3 << 20) + shape.delta)
          : shape.n;
    // At most ~2,000 chunks a message, the file beside included: a MiB in chunks of a few
    // octets took seconds a run, and under a loaded CI the property outlasted its time.
    const chunks = Math.max(chunkSize, Math.ceil(size / 2000));
    const beside = s.beside === undefined ? undefined : Math.min(s.beside, chunks * 2000);
    return { ...s, size, chunkSize: chunks, beside };
  });

/** One run of the property. */
export type Scenario = typeof scenarios extends fc.Arbitrary<infer T> ? T : never;
