// Connections reading into reused buffers (node/read-buffers.ts) under handlers that pause after
// heads at random and keep body pieces for a random while, giving them back in the middle of a
// read, after it or while paused, as a relay's hops and a session's readers do. Two
// connections read at once, so that a buffer freed too early is read over by the other. It
// once was: a piece given back in the middle of a resumed read freed the buffer the rest of
// that read lay in, and the frames after read as garbage.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { Connection, type ConnectionHandler } from '../src/internal.js';
import { reusingReads, socketStream } from '../src/node/socket-stream.js';
import { lendRead, returnReads } from '../src/transport/lent-reads.js';
import { acceptedPair } from './helpers/accepted-pair.js';
import { cleanups, runCleanups } from './helpers/cleanups.js';
import { sendFrame } from './helpers/send-frame.js';
import { until } from './helpers/socket-pair.js';

const FRAMES = 1500;

/** Mulberry32: the same decisions for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FRAMES SEND frames of random sizes (1 byte to 6 KiB) and random bytes, and their bodies. */
function frames(rand: () => number): { wire: Buffer; bodies: Buffer[] } {
  const bodies = Array.from({ length: FRAMES }, () =>
    randomBytes(1 + Math.floor(rand() ** 3 * 6144)),
  );
  return { wire: Buffer.concat(bodies.flatMap((body) => sendFrame(body))), bodies };
}

/** A frame being taken: its pieces, how many are still lent, whether its end-line came. */
interface Taken {
  pieces: Buffer[];
  out: number;
  ended: boolean;
  index: number;
}

/**
 * Takes frames as a relay's hop does: pauses after a head now and then (resumed in a
 * microtask or a later turn), lends each body piece and gives it back in the read, in a
 * microtask or a later turn; reads the bodies out of the pieces as they are given back.
 */
class RandomHandler implements ConnectionHandler {
  /** Each frame's body, by its place, once it ended and every piece of it came back. */
  readonly bodies: Buffer[] = [];
  done = 0;
  readonly errors: Error[] = [];
  connection: Connection | undefined;
  #frame: Taken | undefined;
  #frames = 0;
  readonly #rand: () => number;

  constructor(rand: () => number) {
    this.#rand = rand;
  }

  head(): boolean {
    this.#frame = { pieces: [], out: 0, ended: false, index: this.#frames++ };
    if (this.#rand() >= 0.2) return true;
    this.#later(() => this.connection?.resume());
    return false;
  }

  body(part: Uint8Array): boolean {
    const frame = this.#frame!;
    const at = frame.pieces.push(Buffer.alloc(0)) - 1;
    frame.out++;
    lendRead(part);
    const giveBack = (): void => {
      // Read when given back: a buffer read over while lent would show.
      frame.pieces[at] = Buffer.from(part);
      returnReads([part]);
      frame.out--;
      this.#complete(frame);
    };
    if (this.#rand() < 0.5) giveBack();
    else this.#later(giveBack);
    return true;
  }

  end(): void {
    this.#frame!.ended = true;
    this.#complete(this.#frame!);
  }

  protocolError(error: Error): void {
    this.errors.push(error);
  }

  closed(): void {}

  #complete(frame: Taken): void {
    if (!frame.ended || frame.out > 0) return;
    this.bodies[frame.index] = Buffer.concat(frame.pieces);
    this.done++;
  }

  /** Runs `task` in a microtask or in a later turn. */
  #later(task: () => void): void {
    if (this.#rand() < 0.5) queueMicrotask(task);
    else setImmediate(task);
  }
}

/** A connection accepted with reused reads, its handler, and the client that writes to it. */
async function accepted(
  rand: () => number,
  idleHoldsNothing: boolean,
): Promise<{ handler: RandomHandler; client: Socket }> {
  const { socket, client } = await acceptedPair((s) => reusingReads(s, idleHoldsNothing));
  const handler = new RandomHandler(rand);
  const connection = new Connection(socketStream(socket), handler);
  handler.connection = connection;
  cleanups.push(() => connection.destroy());
  client.setNoDelay(true);
  return { handler, client };
}

it('two connections on reused reads get every body whole, whatever their handlers keep and when', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer(), async (seed) => {
      const rand = random(seed);
      const sides = await Promise.all([accepted(rand, true), accepted(rand, rand() < 0.5)]);
      const sent = sides.map(() => frames(rand));
      // Both written at once, in pieces of random sizes (random reads on the other side).
      sides.forEach(({ client }, s) => {
        const { wire } = sent[s]!;
        for (let at = 0; at < wire.length;) {
          const n = 1 + Math.floor(rand() * 40_000);
          client.write(wire.subarray(at, at + n));
          at += n;
        }
      });
      await until(
        () => sides.every(({ handler }) => handler.done === FRAMES || handler.errors.length > 0),
        20_000,
        'every frame',
      );
      sides.forEach(({ handler }, s) => {
        expect(handler.errors).toEqual([]);
        expect(handler.bodies.every((body, i) => body.equals(sent[s]!.bodies[i]!))).toBe(true);
      });
      await runCleanups();
    }),
    { numRuns: 6 },
  );
}, 120_000);
