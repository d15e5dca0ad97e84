import type { SlowReaderOptions } from './reader-budget.js';

/** Limits of a `ChunkScheduler` (chunk-scheduler.ts): the bytes it buffers, how it cuts chunks. */
export interface ChunkSchedulerOptions {
  /**
   * Body bytes of one chunk written in a row while other frames wait; then the chunk is cut
   * with `+` and resumed later under a new transaction id and Byte-Range. Default 64 KiB.
   */
  sliceBytes?: number;
  /**
   * Bytes in the connection's write buffer before we wait for `drain`, at most: a frame the
   * stream says is one too many waits for it too. Default 1 MiB.
   */
  socketBuffer?: number;
  /** Body bytes one forwarded chunk may have queued before its sender is paused. Default 1 MiB. */
  maxQueuedPerChunk?: number;
  /** Body bytes all chunks may have queued before every sender is paused. Default 1 MiB. */
  maxQueued?: number;
  /**
   * Toward a message-framed peer (WebSocket, RFC 7977 §5.1): the most body bytes of one
   * segment, each written whole as one message (a SEND is cut with `+` past it; other
   * requests cannot be cut and go whole). Capped at `maxQueuedPerChunk`.
   * Default 64 KiB.
   */
  messageChunkBytes?: number;
  /**
   * Body bytes of chunks written on the connection and not yet answered past which it begins
   * no other chunk of a longer message and cuts the one it writes, with at least 8 such
   * chunks out (see `InFlightWindow`). Default: no bound.
   */
  maxInFlight?: number;
  /**
   * Senders reading slower than this (body bytes per second, after `graceMs`) while others
   * wait for room are evicted: their requests fail with 408. See `ReaderBudget`.
   */
  slowReaders?: SlowReaderOptions;
}
