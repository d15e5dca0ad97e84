// In-session resume as a property (issue 12): a file sent with confirmWhenRead into a
// PartialFile, its connection cut at any byte of either direction (the chunks, or the 200s
// coming back) up to three times; after each cut the sender goes on from
// DeliveryError.confirmedBytes on a new connection (`sendFile({ offset, messageId })`). What
// was confirmed is always held, the offset never goes back, and the file completes exact,
// hash checked.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsrpTap } from '../../../bench/lib/msrp-tap.js';
import {
  DeliveryError,
  Endpoint,
  nextEvent,
  PartialFile,
  socketStream,
  type Session,
} from '../src/index.js';
import { cleanups } from './helpers/cleanups.js';

/** Toward whom a connection is cut: the receiver (the chunks), or the sender (the 200s). */
type Toward = 'receiver' | 'sender';

/**
 * About the bytes a whole try carries toward `toward`: the connect's frame and the chunks
 * (each with a head of ~250 bytes), or their 200s (~170 bytes each).
 */
const whole = (toward: Toward, size: number, chunkSize: number): number =>
  toward === 'receiver'
    ? size + 250 * (Math.ceil(size / chunkSize) + 1)
    : 170 * (Math.ceil(size / chunkSize) + 1);

const runs = fc.record({
  size: fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 400_000 })),
  chunkSize: fc.constantFrom(1024, 8192, 65_536),
  cuts: fc.array(
    fc.record({
      toward: fc.constantFrom<Toward>('receiver', 'sender'),
      // Where in that direction's bytes of the try, in thousandths of what it would carry whole.
      at: fc.integer({ min: 0, max: 1100 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

describe('in-session resume, cut anywhere', () => {
  it('completes the file exact; nothing confirmed is missing from the part', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-resume-prop-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const bob = new Endpoint({ session: { confirmWhenRead: true, rebind: true } });
    cleanups.push(() => bob.close());
    await bob.listen({ host: '127.0.0.1', port: 0 });
    let run = 0;

    await fc.assert(
      fc.asyncProperty(runs, async ({ size, chunkSize, cuts }) => {
        run++;
        const source = randomBytes(size);
        const sourcePath = join(dir, `source-${run}.bin`);
        await writeFile(sourcePath, source);
        const target = join(dir, `received-${run}.bin`);
        const receiving = bob.createSession();
        receiving.accept();
        const tap = await new MsrpTap(receiving.localUri.port!).listen();
        const alice = new Endpoint({
          session: { chunkSize },
          dialers: {
            msrp: async () => {
              const socket = connect({ host: '127.0.0.1', port: tap.port });
              await once(socket, 'connect');
              return socketStream(socket);
            },
          },
        });
        const partial = await PartialFile.open(target, { size });
        // Bob stores every message that comes, one after the other (also once the part is
        // full: a try whose last 200 was cut sends the file again).
        let storing: Promise<unknown> = Promise.resolve();
        const reading = (async () => {
          for await (const message of receiving) {
            storing = partial.receive(message).catch(() => undefined);
            await storing;
          }
        })();
        try {
          let offset = 0;
          for (const share of [...cuts, undefined]) {
            // The share of what is left to send, as the try begins.
            const cut = share && {
              direction: share.toward === 'receiver' ? ('out' as const) : ('in' as const),
              after: Math.floor((share.at / 1000) * whole(share.toward, size - offset, chunkSize)),
            };
            tap.cut = cut;
            let session: Session | undefined;
            const outcome = await (async () => {
              session = alice.createSession();
              await session.connect([receiving.localUri]);
              return session.sendFile(sourcePath, { offset, messageId: `file-${run}` });
            })().catch((e: unknown) => e);
            if (cut === undefined) {
              expect(outcome).toMatchObject({ bytes: size });
              break;
            }
            if (outcome instanceof DeliveryError) {
              // Confirmed means stored (directly, a 200 leaves once the octets are written).
              expect(outcome.confirmedBytes).toBeGreaterThanOrEqual(offset);
              expect(outcome.confirmedBytes).toBeLessThanOrEqual(partial.held);
              offset = outcome.confirmedBytes;
            } else if (!(outcome instanceof Error)) {
              expect(outcome).toMatchObject({ bytes: size }); // cut past the last 200
              break;
            }
            await session?.close();
            if (receiving.state === 'bound') await nextEvent(receiving, 'unbound');
          }
          await storing; // the last 200 left once the octets were written; the record follows
          await partial.complete();
          expect((await readFile(target)).equals(source)).toBe(true);
        } finally {
          await alice.close();
          await receiving.close();
          await reading;
          await tap.close();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
