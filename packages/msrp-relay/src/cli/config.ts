// Configuration of the `msrp-relay` command: flags, then environment, then a JSON config file.
import { readFileSync } from 'node:fs';
import { parseUri, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import type { RelayLimits } from '../relay-options.js';
import { readOptions, UsageError } from './option-reader.js';
import {
  USERS_DB_HELP,
  USERS_DB_OPTIONS,
  usersDbConfig,
  type UsersDbConfig,
} from './users-db-options.js';

export { envName, UsageError } from './option-reader.js';

export const HELP = `Usage: msrp-relay [options]
       msrp-relay users add|remove|list ...   (users in PostgreSQL; msrp-relay users --help)

An MSRP relay (RFC 4976): clients authenticate with AUTH (HTTP Digest, SHA-256 or MD5)
and get a relay URI (Use-Path) that peers reach them through; chunks are forwarded as
they arrive, with backpressure, in bounded memory.

The first lines of stdout are the URIs really listened on, then the metrics URL:
  listening msrp://127.0.0.1:2855;tcp
  metrics http://127.0.0.1:9090
Logs are JSON objects, one per line, on stderr. SIGTERM or SIGINT shuts down gracefully
(stop accepting, finish chunks in flight, close); SIGHUP rereads --users, --tls-cert and
--tls-key (new handshakes get the new certificate) and forgets the users cached from
--users-db.

Options (each also as environment variable MSRP_RELAY_<NAME>, e.g. MSRP_RELAY_REALM, and
as a key of the --config JSON file, e.g. {"realm": "example.net", "user": ["a:pw"]}):
  --listen URI              'msrp://HOST:PORT;tcp' or 'msrps://...' (quoted in a shell;
                            repeatable; port 0 picks a free port; [::1] for IPv6);
                            ';ws' for MSRP over WebSocket (RFC 7977): 'msrp://HOST:PORT;ws'
                            is ws:, 'msrps://HOST:PORT;ws' is wss: (with --tls-cert).
                            Default 'msrp://127.0.0.1:2855;tcp'
  --ws-path PATH            HTTP path WebSocket upgrades are accepted on. Default /
  --ws-origin ORIGIN        Origin allowed in WebSocket handshakes, e.g.
                            https://chat.example.net (repeatable; others get 403;
                            handshakes without Origin are not browsers, not checked).
                            Default: any
  --tls-cert FILE           PEM certificate for msrps listeners
  --tls-key FILE            PEM private key of --tls-cert
  --host NAME               host name put in the relay URIs handed out (Use-Path).
                            Default: the address a client connected to
  --realm REALM             Digest realm. Default msrp-relay
  --user NAME:PASSWORD      a user (repeatable; for quick starts and tests)
  --users FILE              users file: NAME:PASSWORD or NAME:REALM:MD5|SHA-256:HA1 lines
${USERS_DB_HELP}
  --min-expires S           shortest Expires granted, seconds (423 below). Default 60
  --max-expires S           longest Expires granted, seconds (423 above). Default 3600
  --default-expires S       Expires when the client asks for none. Default 600
  --max-connections N       connections at once. Default 20000
  --max-connections-per-address N   inbound connections per IP address. Default 256
  --unauthenticated-timeout MS      close connections that neither AUTH nor send a
                            forwardable request within MS. Default 30000
  --idle-timeout MS         close connections without relay sessions idle for MS. Default 300000
  --frame-timeout MS        close connections whose frame in progress makes no progress
                            (head complete, next piece of body) within MS. Default 30000
  --max-header-bytes N      largest frame header block. Default 16384
  --max-chunk-size N        largest chunk body forwarded. Default 67108864
  --max-pending N           forwarded requests awaiting a response per connection. Default 1024
  --max-queued-bytes N      bytes queued for slow next hops before senders pause. Default 1048576
  --max-ws-message N        largest WebSocket message (1009 closes past it).
                            Default max-chunk-size + max-header-bytes + 1024
  --max-ws-chunk N          largest chunk body sent to a WebSocket peer: larger chunks are
                            cut into chunks of N bytes, one per message. Default 65536
  --max-auth-attempts N     failed AUTHs on one connection before it is closed. Default 5
  --auth-fail-burst N       failed AUTHs one address (IPv6: one /64) may make at once; past
                            them its AUTHs get 403, no challenge, and a close. 0: off. Default 20
  --auth-fail-rate N        failed AUTHs per minute an address regains. Default 10
  --auth-user-fail-burst N  failed AUTHs naming one username (from any address) at once;
                            past them AUTHs naming it get 403 (except on a connection that
                            holds a session of that user). 0: off. Default 10
  --auth-user-fail-rate N   failed AUTHs per minute a username regains. Default 5
  --auth-rate-entries N     addresses, and usernames, the AUTH rate limits remember (least
                            recently seen forgotten first). Default 10000
  --metrics HOST:PORT       serve /metrics (Prometheus) and /health over HTTP (port 0: free)
  --log-level LEVEL         debug, info, warn, error or silent. Default info
  --config FILE             JSON file with any of the options above
  -h, --help                show this help
  -V, --version             print the version

Exit codes: 0 after a clean shutdown, 2 usage error, 3 cannot listen.`;

/** The version of @msrp-ts/msrp-relay; the same path works from src/cli and dist/cli. */
export function packageVersion(): string {
  const json = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(json) as { version: string }).version;
}

/** What the command runs with, after flags, environment and config file are merged. */
export interface RelayCommandConfig {
  listen: MsrpUri[];
  tlsCert?: string;
  tlsKey?: string;
  host?: string;
  /** HTTP path of WebSocket listeners. */
  wsPath?: string;
  /** Origins allowed in WebSocket handshakes (none given: any). */
  wsOrigins?: string[];
  realm: string;
  users: { username: string; password: string }[];
  usersFile?: string;
  /** Users in PostgreSQL (--users-db). */
  usersDb?: UsersDbConfig;
  minExpires?: number;
  maxExpires?: number;
  defaultExpires?: number;
  limits: RelayLimits;
  metrics?: { host: string; port: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export const OPTIONS = {
  listen: { type: 'string', multiple: true },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  host: { type: 'string' },
  'ws-path': { type: 'string' },
  'ws-origin': { type: 'string', multiple: true },
  realm: { type: 'string' },
  user: { type: 'string', multiple: true },
  users: { type: 'string' },
  ...USERS_DB_OPTIONS,
  'min-expires': { type: 'string' },
  'max-expires': { type: 'string' },
  'default-expires': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-address': { type: 'string' },
  'unauthenticated-timeout': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'frame-timeout': { type: 'string' },
  'max-header-bytes': { type: 'string' },
  'max-chunk-size': { type: 'string' },
  'max-pending': { type: 'string' },
  'max-queued-bytes': { type: 'string' },
  'max-ws-message': { type: 'string' },
  'max-ws-chunk': { type: 'string' },
  'max-auth-attempts': { type: 'string' },
  'auth-fail-burst': { type: 'string' },
  'auth-fail-rate': { type: 'string' },
  'auth-user-fail-burst': { type: 'string' },
  'auth-user-fail-rate': { type: 'string' },
  'auth-rate-entries': { type: 'string' },
  metrics: { type: 'string' },
  'log-level': { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Name = Exclude<keyof typeof OPTIONS, 'help' | 'config'>;

const LIMITS: Partial<Record<Name, keyof RelayLimits>> = {
  'max-connections': 'maxConnections',
  'max-connections-per-address': 'maxConnectionsPerAddress',
  'unauthenticated-timeout': 'unauthenticatedTimeout',
  'idle-timeout': 'idleTimeout',
  'frame-timeout': 'frameTimeout',
  'max-header-bytes': 'maxHeaderBytes',
  'max-chunk-size': 'maxChunkSize',
  'max-pending': 'maxPendingTransactions',
  'max-queued-bytes': 'maxQueuedBytes',
  'max-ws-message': 'maxWebSocketMessage',
  'max-ws-chunk': 'maxWebSocketChunk',
  'max-auth-attempts': 'maxAuthAttempts',
  'auth-fail-burst': 'authFailureBurst',
  'auth-fail-rate': 'authFailureRate',
  'auth-user-fail-burst': 'authUserFailureBurst',
  'auth-user-fail-rate': 'authUserFailureRate',
  'auth-rate-entries': 'authRateLimitEntries',
};

/**
 * Merges the command line, the environment and the config file (read with `readFile`),
 * in that order of precedence.
 * @returns undefined when --help was asked for.
 * @throws {UsageError} naming the option at fault.
 */
export function resolveConfig(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string,
): RelayCommandConfig | undefined {
  const read = readOptions(args, env, readFile, OPTIONS);
  if (read.help) return undefined;
  const { one, many, int } = read;

  const listen = (many('listen').length > 0 ? many('listen') : ['msrp://127.0.0.1:2855;tcp']).map(
    (text) => {
      let uri: MsrpUri;
      try {
        uri = parseUri(text);
      } catch (e) {
        throw new UsageError(`--listen: ${(e as Error).message}`);
      }
      if (uri.sessionId !== undefined) throw new UsageError(`--listen: ${text} has a session-id`);
      if (!['tcp', 'ws'].includes(uri.transport.toLowerCase()))
        throw new UsageError(`--listen: ${text}: transport must be tcp or ws`);
      return uri;
    },
  );
  const tlsCert = one('tls-cert');
  const tlsKey = one('tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  if (listen.some((u) => u.scheme === 'msrps') && tlsCert === undefined)
    throw new UsageError('an msrps listener needs --tls-cert and --tls-key');
  const wsPath = one('ws-path');
  if (wsPath !== undefined && !wsPath.startsWith('/'))
    throw new UsageError(`--ws-path must start with /, not "${wsPath}"`);
  const wsOrigins = many('ws-origin');
  const users = many('user').map((text) => {
    const colon = text.indexOf(':');
    if (colon <= 0) throw new UsageError(`--user must be NAME:PASSWORD, not "${text}"`);
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  });
  const usersFile = one('users');
  const usersDb = usersDbConfig(read);
  if (users.length === 0 && usersFile === undefined && usersDb === undefined)
    throw new UsageError('no users: give --user NAME:PASSWORD, --users FILE or --users-db URL');
  const limits: RelayLimits = {};
  for (const [name, key] of Object.entries(LIMITS) as [Name, keyof RelayLimits][]) {
    const value = int(name);
    if (value !== undefined) limits[key] = value;
  }
  const metricsText = one('metrics');
  let metrics: RelayCommandConfig['metrics'];
  if (metricsText !== undefined) {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(metricsText);
    if (!m) throw new UsageError(`--metrics must be HOST:PORT, not "${metricsText}"`);
    metrics = { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
  }
  const logLevel = one('log-level') ?? 'info';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel))
    throw new UsageError(`--log-level must be debug, info, warn, error or silent`);
  const config: RelayCommandConfig = {
    listen,
    realm: one('realm') ?? 'msrp-relay',
    users,
    limits,
    logLevel: logLevel as RelayCommandConfig['logLevel'],
  };
  const optional = {
    tlsCert,
    tlsKey,
    host: one('host'),
    wsPath,
    wsOrigins: wsOrigins.length > 0 ? wsOrigins : undefined,
    usersFile,
    usersDb,
    minExpires: int('min-expires'),
    maxExpires: int('max-expires'),
    defaultExpires: int('default-expires'),
    metrics,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  return config;
}
