// What every process of the relay benchmark shares (bench/relay-peer.ts): the commands the
// parent sends, the reports a peer sends back, and the readings they carry. Only node: built-ins
// a relay loads anyway: the relay process must measure the relay, not the bench.
import type { MsrpUri } from '@msrp-ts/msrp-core';

/** How the sender reaches the receiver; `relay-ws`: both reach the relay over WebSocket. */
export type Route = 'direct' | 'pipe' | 'relay' | 'relay-ws';

/** Commands the parent sends. */
export type RelayPeerCommand =
  | { role: 'relay'; /** Listen on WebSocket too (RFC 7977). */ ws?: boolean }
  | { role: 'pipe'; targetPort: number }
  /** A minimal forwarder that parses only the paths (bench/relay-floor.ts), in the relay's place. */
  | { role: 'floor' }
  | { role: 'hold'; count: number }
  | {
      role: 'crowd';
      relay: MsrpUri;
      count: number;
      sockets?: boolean;
      port?: number;
      /** Relay sessions per connection (`count` connections): raw AUTHs, see shared-sessions.ts. */
      perConnection?: number;
    }
  | { role: 'receiver'; relay?: MsrpUri; chunkSize: number }
  | {
      role: 'sender';
      route: Route;
      to: MsrpUri[];
      relay?: MsrpUri;
      pipePort?: number;
      chunkSize: number;
      bytes: number;
      /** Send this many small messages instead of `bytes` in one message. */
      messages?: number;
      /** Milliseconds between chat lines sent beside the transfer (their send→200 is timed). */
      chatEvery?: number;
      /** Use the library's default window instead of the bench's 8 MiB. */
      defaultWindow?: boolean;
    };

/** What a peer reports back. */
export type RelayPeerReport =
  | { event: 'ready'; port?: number; uri?: MsrpUri; wsUri?: MsrpUri; path?: MsrpUri[] }
  | { event: 'rss'; rssMiB: number; /** JS heap used. */ heapMiB: number }
  | {
      event: 'done';
      bytes: number;
      ms: number;
      messages?: number;
      maxRssMiB: number;
      /** CPU time spent on the work, in ms. */
      cpuMs: number;
      /** Send→200 of each chat line sent beside the transfer, in ms. */
      chatMs?: number[];
    }
  /**
   * CPU time (user + system) this process has used so far, in ms, its peak RSS and its RSS
   * now: the answer to 'cpu'.
   */
  | {
      event: 'cpu';
      ms: number;
      maxRssMiB: number;
      rssMiB: number;
      /** JS heap used now (garbage included). */
      heapMiB: number;
      /** A relay's event-loop delay since 'watch' (how late it ran timers), in ms. */
      loopMs?: { p99: number; max: number };
      /** A relay's GC pauses since 'watch': their total and the longest, in ms. */
      gcMs?: { total: number; max: number };
      /**
       * A relay's memory by kind once it watches, in MiB: each V8 heap space's committed size
       * (its name), `external` (ArrayBuffers and other memory V8 is told of).
       */
      memory?: Record<string, number>;
      /** A relay's JS heap used after its last mark-compact since 'watch' (NaN before one), MiB. */
      liveMiB?: number;
    }
  /** A receiver's answer to 'chat': send→arrival of each chat line it got, in ms. */
  | { event: 'chat'; ms: number[] };

export const report = (r: RelayPeerReport): void => {
  process.send!(r);
};
export const rssMiB = (): number => process.memoryUsage().rss / 1024 / 1024;
export const heapMiB = (): number => process.memoryUsage().heapUsed / 1024 / 1024;
export const maxRssMiB = (): number => process.resourceUsage().maxRSS / 1024;
export const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Waits for the parent's next message of `type`. */
export function command(type: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (m: { type?: string }): void => {
      if (m.type !== type) return;
      process.off('message', listener);
      resolve();
    };
    process.on('message', listener);
  });
}

/** Settles memory before a reading: two GCs when exposed, and a pause. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A relay's event-loop and GC figures for the answer to 'cpu', once it watches them. */
export const relayFigures: {
  read?: () => Pick<
    Extract<RelayPeerReport, { event: 'cpu' }>,
    'loopMs' | 'gcMs' | 'memory' | 'liveMiB'
  >;
} = {};
