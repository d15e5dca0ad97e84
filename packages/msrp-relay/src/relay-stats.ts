/**
 * Running totals of a relay, kept as plain numbers on the hot path and read by the metrics
 * endpoint when it is scraped.
 */
export class RelayStats {
  /** Connections open now, not counting those whose closing was decided. */
  connections = 0;
  /** Connections opened since start, by direction. */
  readonly connectionsOpened = { inbound: 0, outbound: 0 };
  /** Connections opened since start, inbound and outbound, by `tcp`, `tls`, `ws` or `wss`. */
  readonly connectionsByTransport = new Map<string, number>();
  /** Connections refused by a limit. */
  connectionsRefused = 0;
  /** Authenticated relay sessions now. */
  sessions = 0;
  /** Successful AUTHs (new sessions and refreshes). */
  authSuccesses = 0;
  /** Failed AUTHs by reason (`credentials`, `stale`, `replay`, ...). */
  readonly authFailures = new Map<string, number>();
  /** AUTHs refused by the failed-AUTH rate limit, by the limit: `address` or `username`. */
  readonly authRateLimited = new Map<string, number>();
  /** Addresses and usernames the failed-AUTH rate limit remembers now. */
  authRateLimitEntries = 0;
  /** Body bytes forwarded. */
  bytesForwarded = 0;
  /** Requests forwarded (chunks, REPORTs, AUTHs to other relays). */
  requestsForwarded = 0;
  /**
   * Of {@link requestsForwarded}: small SEND chunks and REPORTs that arrived whole and went
   * out as one frame to a next hop with nothing queued (`WholeForward`), not streamed.
   */
  requestsForwardedWhole = 0;
  /**
   * Frames read on the byte-level fast path (`FastPath`): small SENDs and REPORTs forwarded
   * (counted in {@link requestsForwardedWhole} too) and the 200s answering them.
   */
  fastPathFrames = 0;
  /** Chunks cut with `+` to let other frames through. */
  chunksInterrupted = 0;
  /** Chunks cut into smaller ones toward WebSocket peers (`maxWebSocketChunk`). */
  chunksRechunked = 0;
  /** Error responses and failure REPORTs the relay sent, by status code. */
  readonly errors = new Map<number, number>();
  /**
   * Protocol errors by peers: unparsable bytes (the connection closes), or a request whose
   * header cannot be read (answered 400, the connection kept). Frame timeouts are apart.
   */
  protocolErrors = 0;
  /** Times a sender was paused because its next hop had too many unanswered requests. */
  sendersHeldBack = 0;
  /** Connections closed because a frame made no progress within `frameTimeout`. */
  frameTimeouts = 0;
  /** Connections dropped because their peer read nothing of what was written for `idleTimeout`. */
  stuckPeersDropped = 0;

  /** Adds one to a keyed counter. */
  static bump<K>(map: Map<K, number>, key: K): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}
