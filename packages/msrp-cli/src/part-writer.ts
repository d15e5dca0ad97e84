// Writes a resumed file's message into its part, each piece on disk before the next is
// pulled. With SessionOptions.confirmWhenRead the pull is what confirms a piece's chunks
// (200), so every confirmed octet is written first: a crash, even SIGKILL, loses nothing the
// sender was told had arrived. (`saveTo` gathers pieces while a write is in flight, so it
// pulls, and confirms, up to 1 MiB ahead of the disk.)
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from '@msrp-ts/msrp-core';

/** What {@link writePart} wrote. */
export interface WrittenPart {
  /** Bytes of the message written (after `offset`). */
  readonly bytes: number;
  /** The whole file's SHA-256 in RFC 5547 form, `sha-256:AB:CD:...`. */
  readonly hash: string;
  /** The hash the sender announced (`File-Hash`), if any. */
  readonly announcedHash: string | undefined;
  /** Whether it matches; undefined when none was announced, or not in SHA-256. */
  readonly hashMatches: boolean | undefined;
}

const READ_SIZE = 1024 * 1024;

/**
 * Writes all of `piece` at `position`, synchronously: pieces are small (a chunk's body, 8 KiB
 * by default) and must be written one by one before the next is pulled, and a write to the
 * page cache takes microseconds where a round trip through the thread pool takes ~100.
 */
function writeAll(handle: FileHandle, piece: Uint8Array, position: number): void {
  for (let done = 0; done < piece.length;) {
    done += writeSync(handle.fd, piece, done, piece.length - done, position + done);
  }
}

/**
 * Writes `message` into the file at `path` from octet `offset` on (the file holds at least
 * that many; it is cut there first), hashing the file's first `offset` octets and then the
 * message, so that the result is the whole file's SHA-256.
 * @throws the message's failure (aborted, connection lost) or a file system error.
 */
export async function writePart(
  message: IncomingMessage,
  path: string,
  offset: number,
): Promise<WrittenPart> {
  const handle = await open(path, 'r+');
  // The hash runs beside the writes: what the part already holds, then what is written, read
  // back from the file until it has caught up, then straight from the pieces. A resume thus
  // writes (and confirms) at once instead of after hashing a prefix of up to gigabytes.
  const hash = createHash('sha256');
  let hashed = 0;
  let written = offset;
  let writing = true;
  let wake: (() => void) | undefined;
  const buffer = Buffer.allocUnsafe(READ_SIZE);
  const catchUp = async (): Promise<void> => {
    for (;;) {
      if (hashed < written) {
        const want = Math.min(READ_SIZE, written - hashed);
        const { bytesRead } = await handle.read(buffer, 0, want, hashed);
        if (bytesRead === 0) throw new Error(`${path} ends at byte ${hashed}, before ${written}`);
        hash.update(buffer.subarray(0, bytesRead));
        hashed += bytesRead;
      } else if (!writing) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  let reading: Promise<void> = Promise.resolve();
  try {
    const { size } = await handle.stat();
    if (size < offset) throw new Error(`${path} holds ${size} bytes, fewer than ${offset}`);
    await handle.truncate(offset);
    reading = catchUp();
    // Its failure is awaited below; meanwhile it must not count as unhandled.
    reading.catch(() => undefined);
    const body: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = message.stream ?? [
      message.body ?? new Uint8Array(0),
    ];
    for await (const piece of body) {
      // On disk before the loop pulls the next piece (which confirms this one's chunks).
      writeAll(handle, piece, written);
      const caughtUp = hashed === written;
      written += piece.length;
      if (caughtUp) {
        hash.update(piece);
        hashed = written;
      }
      wake?.();
    }
    writing = false;
    wake?.();
    await reading;
    const hex = hash
      .digest('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1:');
    const announced = message.announcedHash;
    const colon = announced?.indexOf(':') ?? -1;
    const hashMatches =
      announced === undefined || announced.slice(0, colon).toLowerCase() !== 'sha-256'
        ? undefined
        : announced.slice(colon + 1).toUpperCase() === hex;
    return {
      bytes: written - offset,
      hash: `sha-256:${hex}`,
      announcedHash: announced,
      hashMatches,
    };
  } finally {
    writing = false;
    wake?.();
    await reading.catch(() => undefined);
    await handle.close();
  }
}
