import type { Readable } from 'node:stream';

/**
 * Reads a stream piece by piece as it was pushed. A Readable's own async iterator calls
 * `read()`, which joins everything buffered into one new Buffer (a copy of every byte);
 * flowing mode hands over each piece as it is.
 */
export async function* pieces(stream: Readable): AsyncGenerator<Uint8Array> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onData = (piece: Buffer): void => {
    queue.push(piece);
    stream.pause();
    wake?.();
  };
  const onEnd = (): void => {
    ended = true;
    wake?.();
  };
  const onError = (e: Error): void => {
    failure = e;
    wake?.();
  };
  stream.on('data', onData).once('end', onEnd).once('error', onError);
  try {
    for (;;) {
      const piece = queue.shift();
      if (piece) {
        if (queue.length === 0) stream.resume();
        yield piece;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    stream.off('data', onData).off('end', onEnd).off('error', onError);
    if (!ended) stream.destroy();
  }
}
