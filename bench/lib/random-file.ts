import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** Writes `bytes` random bytes to `path` (1 MiB of randomness repeated), honouring drain. */
export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const piece = randomBytes(1024 * 1024);
  for (let left = bytes; left > 0; left -= piece.length) {
    if (!out.write(left >= piece.length ? piece : piece.subarray(0, left)))
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}
