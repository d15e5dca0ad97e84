import type { ByteStreamEvents } from '../../src/transport/byte-stream.js';

/** Stream events that do nothing: spread it and set the ones a test listens to. */
export const noEvents: ByteStreamEvents = {
  data: () => undefined,
  drain: () => undefined,
  end: () => undefined,
  endWhilePaused: () => undefined,
  finished: () => undefined,
  error: () => undefined,
  close: () => undefined,
};
