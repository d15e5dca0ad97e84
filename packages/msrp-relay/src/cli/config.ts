// Configuration of the `msrp-relay` command: flags, then environment, then a JSON config file.
import { parseUri, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import { checkRelayOptions, type RelayLimits } from '../relay-options.js';
import { webOrigin } from '../ws-listener.js';
import { unknownEnvNames, type UnknownEnvName } from './env-names.js';
import { readOptions, UsageError } from './option-reader.js';
import { USERS_DB_OPTIONS, usersDbConfig, type UsersDbConfig } from './users-db-options.js';

export { unknownEnvLine } from './env-names.js';
export { envName, UsageError } from './option-reader.js';

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
  /** Options given without what they serve (`--ws-path` and no ;ws listener), to warn of. */
  ignored?: { option: string; without: string }[];
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
  'max-pending-bytes': { type: 'string' },
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

/**
 * The MSRP_RELAY_* variables of `env` that no option of `msrp-relay` or of `msrp-relay users`
 * reads (see {@link unknownEnvNames}): both commands may share one relay.env.
 */
export function unknownRelayEnv(env: NodeJS.ProcessEnv): UnknownEnvName[] {
  const names = Object.keys(OPTIONS).filter((name) => name !== 'help');
  return unknownEnvNames(env, [...names, 'store-password']);
}

const LIMITS: Partial<Record<Name, keyof RelayLimits>> = {
  'max-connections': 'maxConnections',
  'max-connections-per-address': 'maxConnectionsPerAddress',
  'unauthenticated-timeout': 'unauthenticatedTimeout',
  'idle-timeout': 'idleTimeout',
  'frame-timeout': 'frameTimeout',
  'max-header-bytes': 'maxHeaderBytes',
  'max-chunk-size': 'maxChunkSize',
  'max-pending': 'maxPendingTransactions',
  'max-pending-bytes': 'maxPendingBytes',
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
  if (wsPath !== undefined && !matchable(wsPath))
    throw new UsageError(
      `--ws-path must be a path as a URL holds it (no ?, #, white space, . or .. segment; other characters %-encoded), not "${wsPath}"`,
    );
  const wsOrigins = many('ws-origin');
  for (const origin of wsOrigins) {
    if (webOrigin(origin) === undefined)
      throw new UsageError(
        `--ws-origin must be an origin like https://chat.example.net, not "${origin}"`,
      );
  }
  const users = many('user').map((text) => {
    const colon = text.indexOf(':');
    if (colon <= 0) throw new UsageError(`--user must be NAME:PASSWORD, not "${text}"`);
    // Anyone naming the user would get in.
    if (colon === text.length - 1)
      throw new UsageError(`--user ${text} has an empty password: give NAME:PASSWORD`);
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
    if (!m || Number(m[3]) > 65535)
      throw new UsageError(`--metrics must be HOST:PORT (port 0 to 65535), not "${metricsText}"`);
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
    // The URI's brackets of an IPv6 address are not the address's.
    host: one('host')?.replace(/^\[(.*)\]$/, '$1'),
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
  // Not refused: a listener left out of --listen for a while need not take its options along.
  const ignored: { option: string; without: string }[] = [];
  const lacking = (names: string[], without: string): void => {
    for (const name of names)
      if (many(name).length > 0) ignored.push({ option: read.source(name), without });
  };
  if (!listen.some((uri) => uri.transport.toLowerCase() === 'ws'))
    lacking(['ws-path', 'ws-origin'], 'a ;ws listener');
  if (!listen.some((uri) => uri.scheme === 'msrps'))
    lacking(['tls-cert', 'tls-key'], 'an msrps listener');
  if (ignored.length > 0) config.ignored = ignored;
  checkLimits(config);
  return config;
}

/**
 * Whether an upgrade can ever be on `path`: the listener compares it with the request's path
 * as a URL parses it, so `/ws?x` or `/a b` would get every handshake a 404.
 */
function matchable(path: string): boolean {
  return URL.canParse(path, 'http://relay') && new URL(path, 'http://relay').pathname === path;
}

/** The relay's own check of its options, its words put as the command's flags. */
function checkLimits(config: RelayCommandConfig): void {
  try {
    checkRelayOptions(config);
  } catch (e) {
    let message = (e as Error).message
      .replace(/^Relay (?:option|limit) /, '')
      .replace(/^host\b/, '--host');
    for (const [flag, key] of Object.entries({ ...LIMITS, ...EXPIRES })) {
      message = message.replace(new RegExp(`\\b${key}\\b`, 'g'), `--${flag}`);
    }
    throw new UsageError(message);
  }
}

const EXPIRES = {
  'min-expires': 'minExpires',
  'max-expires': 'maxExpires',
  'default-expires': 'defaultExpires',
};
