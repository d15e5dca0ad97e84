import type { InboundOptions } from './inbound.js';
import type { SessionOptions } from './options.js';
import type { SendSchedulerOptions } from './send-scheduler.js';

/** A session's options with their defaults applied, sorted by the part that uses them. */
export interface ResolvedSessionOptions {
  chunkSize: number;
  rebind: boolean;
  remoteMaxSize: number | undefined;
  /** Bytes streamed messages may hold while they wait in the inbox. */
  maxQueuedStreamBytes: number;
  scheduler: SendSchedulerOptions;
  inbound: InboundOptions;
}

/** Applies the defaults that {@link SessionOptions} documents. */
export function resolveSessionOptions(options: SessionOptions): ResolvedSessionOptions {
  const chunkSize = options.chunkSize ?? 8192;
  const maxQueuedStreamBytes = options.maxQueuedStreamBytes ?? 16 * 1024 * 1024;
  return {
    chunkSize,
    rebind: options.rebind ?? false,
    remoteMaxSize: options.remoteMaxSize,
    maxQueuedStreamBytes,
    scheduler: {
      chunkSize,
      maxInFlightChunks: options.maxInFlightChunks ?? 256,
      // The window starts at 512 KiB and grows to this while the peer answers fast (see
      // SendWindow): 2 MiB is the 256 chunks of 8 KiB.
      maxInFlightBytes: options.maxInFlightBytes ?? 2 * 1024 * 1024,
      remoteMaxSize: options.remoteMaxSize,
      reportTimeout: options.reportTimeout ?? 30_000,
    },
    inbound: {
      acceptTypes: options.acceptTypes ?? ['*'],
      maxSize: options.maxSize ?? Number.MAX_SAFE_INTEGER,
      inMemoryThreshold: options.inMemoryThreshold ?? 1024 * 1024,
      maxReorderBytes: options.maxReorderBytes ?? 1024 * 1024,
      maxIncompleteMessages: options.maxIncompleteMessages ?? 64,
      maxQueuedMessages: options.maxQueuedMessages ?? 1024,
      checkMessage: options.checkMessage,
      confirmWhenRead: options.confirmWhenRead ?? false,
      maxQueuedStreamBytes,
      incompleteMessageTimeout: options.incompleteMessageTimeout ?? 120_000,
    },
  };
}
