import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';
import type { CredentialStoreStats } from './pg-credential-store.js';
import type { Relay } from './relay.js';

/**
 * `prom-client`, loaded by the first registry made: importing it costs about 4 MiB of memory,
 * which a relay without metrics need not pay (it is CommonJS, so `require` loads it at once).
 */
let promClient: typeof PromClient | undefined;
function loadPromClient(): typeof PromClient {
  return (promClient ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)(
    'prom-client',
  ) as typeof PromClient);
}

/**
 * A Prometheus registry exposing a relay's counters (read from `relay.stats` when scraped,
 * so the forwarding path only adds to plain numbers) and Node's process metrics.
 * @param options.credentialStats The totals of a database credential store
 * (`PgCredentialStore.stats`): queries, cache hits and errors are exported too.
 */
export function createRelayMetrics(
  relay: Relay,
  options: { processMetrics?: boolean; credentialStats?: Readonly<CredentialStoreStats> } = {},
): Registry {
  const { collectDefaultMetrics, Counter, Gauge, Registry } = loadPromClient();
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const stats = relay.stats;
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  const counter = (name: string, help: string, read: () => number): void => {
    let last = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read();
        this.inc(now - last);
        last = now;
      },
    });
  };
  const labelled = (
    name: string,
    help: string,
    label: string,
    read: () => ReadonlyMap<string | number, number>,
  ): void => {
    const last = new Map<string | number, number>();
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        for (const [key, now] of read()) {
          this.inc({ [label]: String(key) }, now - (last.get(key) ?? 0));
          last.set(key, now);
        }
      },
    });
  };
  gauge('msrp_relay_connections', 'Connections open now', () => stats.connections);
  counter(
    'msrp_relay_connections_accepted_total',
    'Inbound connections accepted',
    () => stats.connectionsOpened.inbound,
  );
  counter(
    'msrp_relay_connections_dialed_total',
    'Connections opened to next hops',
    () => stats.connectionsOpened.outbound,
  );
  labelled(
    'msrp_relay_connections_opened_total',
    'Connections opened (accepted and dialed) by transport: tcp, tls, ws, wss',
    'transport',
    () => stats.connectionsByTransport,
  );
  counter(
    'msrp_relay_connections_refused_total',
    'Inbound connections refused by a limit',
    () => stats.connectionsRefused,
  );
  gauge('msrp_relay_sessions', 'Authenticated relay sessions now', () => stats.sessions);
  gauge('msrp_relay_queued_bytes', 'Body bytes queued for slow next hops', () => relay.queuedBytes);
  counter('msrp_relay_auth_successes_total', 'Successful AUTH requests', () => stats.authSuccesses);
  labelled(
    'msrp_relay_auth_failures_total',
    'Failed AUTH requests by reason',
    'reason',
    () => stats.authFailures,
  );
  labelled(
    'msrp_relay_auth_rate_limited_total',
    'AUTH requests refused (403, no challenge) by the failed-AUTH rate limit, by limit: address or username',
    'limit',
    () => stats.authRateLimited,
  );
  gauge(
    'msrp_relay_auth_rate_limit_entries',
    'Addresses and usernames the failed-AUTH rate limit remembers',
    () => stats.authRateLimitEntries,
  );
  counter('msrp_relay_forwarded_bytes_total', 'Body bytes forwarded', () => stats.bytesForwarded);
  counter(
    'msrp_relay_forwarded_requests_total',
    'Requests (chunks, REPORTs, AUTHs) forwarded',
    () => stats.requestsForwarded,
  );
  counter(
    'msrp_relay_forwarded_whole_requests_total',
    'Of those, small SEND chunks and REPORTs forwarded whole, as one frame',
    () => stats.requestsForwardedWhole,
  );
  counter(
    'msrp_relay_fast_path_frames_total',
    'Frames read on the byte-level fast path (small SENDs, REPORTs, 200s)',
    () => stats.fastPathFrames,
  );
  counter(
    'msrp_relay_chunks_interrupted_total',
    'Chunks cut with + to let other frames through',
    () => stats.chunksInterrupted,
  );
  counter(
    'msrp_relay_chunks_rechunked_total',
    'Chunks cut into smaller ones toward WebSocket peers',
    () => stats.chunksRechunked,
  );
  labelled(
    'msrp_relay_errors_total',
    'Error responses and failure REPORTs sent, by status code',
    'code',
    () => stats.errors,
  );
  counter(
    'msrp_relay_protocol_errors_total',
    'Protocol errors by peers: unparsable bytes (connection closed), or a request whose header cannot be read (answered 400, connection kept)',
    () => stats.protocolErrors,
  );
  counter(
    'msrp_relay_senders_held_back_total',
    'Senders paused because their next hop had too many unanswered requests',
    () => stats.sendersHeldBack,
  );
  counter(
    'msrp_relay_frame_timeouts_total',
    'Connections closed because a frame made no progress in time',
    () => stats.frameTimeouts,
  );
  counter(
    'msrp_relay_stuck_peers_dropped_total',
    'Connections dropped because their peer stopped reading',
    () => stats.stuckPeersDropped,
  );
  const credentials = options.credentialStats;
  if (credentials) {
    counter(
      'msrp_relay_credential_queries_total',
      'Queries sent to the credential database',
      () => credentials.queries,
    );
    counter(
      'msrp_relay_credential_cache_hits_total',
      'Credential lookups answered by the cache',
      () => credentials.cacheHits,
    );
    counter(
      'msrp_relay_credential_errors_total',
      'Credential lookups the database could not answer (AUTH answered 500)',
      () => credentials.errors,
    );
  }
  return registry;
}
