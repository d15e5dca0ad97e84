#!/usr/bin/env node
// The `msrp-relay` command: an RFC 4976 relay with logs, metrics and graceful shutdown.
// The signals first: this import is evaluated before the others (see signals.ts).
import { signals } from './signals.js';
import { readFileSync } from 'node:fs';
import type { TlsServerOptions } from '@msrp-ts/msrp-core';
import type { AdminServer } from '../admin-server.js';
import type { CredentialStore } from '../credential-store.js';
import type { FileCredentialStore } from '../file-credential-store.js';
import type { PgCredentialStore } from '../pg-credential-store.js';
import { reload, warnOutsideRealm, type Reloadable } from './reload.js';
import type { RelayCommandConfig } from './config.js';
import { HELP, packageVersion } from './help.js';

async function main(args: readonly string[]): Promise<number> {
  // Not a relay: the signals' default actions (a ^C ends a password prompt, with 130).
  if (args[0] === 'users') {
    signals.detach();
    return (await import('./users-command.js')).usersCommand(args.slice(1));
  }
  if (args.includes('--version') || args.includes('-V')) {
    process.stdout.write(`msrp-relay ${packageVersion()}\n`);
    return 0;
  }
  // Before the options are read (node:util, msrp-core's URIs): wherever --help stands, as
  // the bin decides on it too.
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { resolveConfig, unknownEnvLine, unknownRelayEnv, UsageError } =
    await import('./config.js');
  // A misspelt variable is no option: the relay would run with the default instead.
  const unknownEnv = unknownRelayEnv(process.env);
  let config: RelayCommandConfig | undefined;
  try {
    config = resolveConfig(args, process.env, (path) => readFileSync(path, 'utf8'));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`msrp-relay: ${e.message} (see msrp-relay --help)\n`);
    // It may be why ("no users": MSRP_RELAY_USER misspelt).
    for (const unknown of unknownEnv)
      process.stderr.write(`msrp-relay: ${unknownEnvLine(unknown)}\n`);
    return 2;
  }
  if (!config) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  // Loaded only to run: --help and --version answer without the relay, pino and the metrics.
  const [
    { pino },
    { stderrDestination },
    { startAdminServer },
    { StaticCredentialStore },
    { FileCredentialStore },
  ] = await Promise.all([
    import('pino'),
    import('./log-destination.js'),
    import('../admin-server.js'),
    import('../credential-store.js'),
    import('../file-credential-store.js'),
  ]);
  const [
    { createRelayMetrics },
    { Relay },
    { LayeredCredentialStore },
    { adaptYoungGeneration },
    { formatUri },
  ] = await Promise.all([
    import('../metrics.js'),
    import('../relay.js'),
    import('../layered-credential-store.js'),
    // It loads node:v8, which a help text does without.
    import('../young-generation.js'),
    import('@msrp-ts/msrp-core/uri'),
  ]);
  const logDestination = stderrDestination(() => (log.level = 'silent'));
  const log = pino(
    {
      level: config.logLevel,
      base: { pid: process.pid },
      name: 'msrp-relay',
      // What operators grep for: "level":"warn" and an ISO time, not 40 and epoch ms.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    logDestination.stream,
  );
  const logWritten = (): Promise<void> => logDestination.written();
  for (const { variable, suggestion } of unknownEnv)
    log.warn(
      { variable, ...(suggestion && { suggestion }) },
      'environment variable ignored: it names no option',
    );
  for (const { option, without } of config.ignored ?? [])
    log.warn({ option, without }, 'option ignored: what it is for is not configured');
  // stdout carries the startup lines only; a reader gone after them (EPIPE) ends nothing.
  process.stdout.on('error', () => undefined);

  let fileStore: FileCredentialStore | undefined;
  let dbStore: PgCredentialStore | undefined;
  let tls: TlsServerOptions | undefined;
  try {
    if (config.tlsCert !== undefined && config.tlsKey !== undefined)
      tls = tlsFiles(config.tlsCert, config.tlsKey);
    if (config.usersFile !== undefined) {
      // Its error names the file and the line, not where the file was named.
      fileStore = await FileCredentialStore.open(config.usersFile).catch((e: unknown) => {
        throw new Error(`--users: ${(e as Error).message}`, { cause: e });
      });
    }
    if (config.usersDb) {
      const { url, table, columns, plainPasswords } = config.usersDb;
      // Connects on the first AUTH, and again after the database went away: a database
      // down at start delays no listener, and its AUTHs get 500 until it is back.
      // Loaded only when asked for: pg is not needed by a relay without a database.
      const { PgCredentialStore } = await import('../pg-credential-store.js');
      dbStore = new PgCredentialStore({
        connectionString: url,
        ...(table !== undefined && { table }),
        columns,
        plainPasswords,
        logger: log,
      });
    }
  } catch (e) {
    process.stderr.write(`msrp-relay: ${(e as Error).message}\n`);
    return 2;
  }
  const layers: CredentialStore[] = [new StaticCredentialStore(config.users)];
  if (fileStore) layers.push(fileStore);
  if (dbStore) layers.push(dbStore);

  // From here on a stop closes what is open, through the shutdown below.
  signals.opening();
  const relay = new Relay({
    credentials: new LayeredCredentialStore(layers),
    realm: config.realm,
    ...(config.host !== undefined && { host: config.host }),
    ...(config.minExpires !== undefined && { minExpires: config.minExpires }),
    ...(config.maxExpires !== undefined && { maxExpires: config.maxExpires }),
    ...(config.defaultExpires !== undefined && { defaultExpires: config.defaultExpires }),
    limits: config.limits,
    logger: log,
  });
  // The bin held V8's young generation at 1 MiB semi-spaces; it grows while the relay is large and busy.
  adaptYoungGeneration({ work: () => relay.stats.requestsForwarded });
  let admin: AdminServer | undefined;
  // Printed once all are bound: a script reading "listening" must not meet an exit 3 after it.
  const lines: string[] = [];
  try {
    for (const uri of config.listen) {
      if (signals.stopping) break;
      if (uri.scheme === 'msrps' && !tls) throw new Error('msrps needs --tls-cert and --tls-key');
      const listening = await relay.listen({
        host: uri.host,
        port: uri.port ?? 2855,
        ...(uri.scheme === 'msrps' && tls && { tls }),
        ...(uri.transport.toLowerCase() === 'ws' && {
          transport: 'ws',
          webSocket: {
            ...(config.wsPath !== undefined && { path: config.wsPath }),
            ...(config.wsOrigins && { origins: config.wsOrigins }),
          },
        }),
      });
      lines.push(`listening ${formatUri(listening)}`);
    }
    if (config.metrics && !signals.stopping) {
      admin = await startAdminServer({
        ...config.metrics,
        registry: createRelayMetrics(relay, {
          ...(dbStore && { credentialStats: dbStore.stats }),
        }),
        health: () => ({
          ok: !relay.closing,
          connections: relay.connectionCount,
          sessions: relay.sessionCount,
        }),
      });
      lines.push(`metrics ${admin.url}`);
    }
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  } catch (e) {
    log.error({ error: (e as Error).message }, 'cannot listen');
    // listen() says "Cannot listen on host:port: why": the address stays, the words once.
    const why = (e as Error).message.replace(/^Cannot listen on /, '');
    process.stderr.write(`msrp-relay: cannot listen: ${why}\n`);
    await relay.close(0);
    await admin?.close();
    await dbStore?.close();
    await logWritten();
    return 3;
  }
  if (!signals.stopping) {
    log.info(
      { listen: relay.uris.map(formatUri), realm: config.realm, metrics: admin?.url },
      'relay started',
    );
    if (fileStore) warnOutsideRealm(log, fileStore, config.realm);
    // Said now, not at the first AUTH: a database down, a wrong password, table or column.
    // The listeners do not wait for it (see above).
    const table = dbStore?.table.name;
    dbStore?.check().then(
      () => log.info({ table }, 'credential database ready'),
      (e: unknown) => {
        // A stop closed the pool under it: that says nothing of the database.
        if (signals.stopping) return;
        const error = (e as Error).message;
        log.error({ error, table }, "credential database not usable (its users' AUTHs get 500)");
      },
    );
  }
  // SIGHUP: one at a time, each after the one before.
  let reloading = Promise.resolve();
  const { tlsCert, tlsKey } = config;
  const reloadable: Reloadable = {
    log,
    realm: config.realm,
    fileStore,
    dbStore,
    ...(tlsCert !== undefined &&
      tlsKey !== undefined && {
        tls: { cert: tlsCert, key: tlsKey, apply: (options) => relay.setTls(options) },
      }),
  };
  signals.ready(() => {
    reloading = reloading.then(() => reload(reloadable));
  });

  const signal = await signals.stop;
  log.info({ signal }, 'shutting down');
  await relay.close(10_000);
  await admin?.close();
  await dbStore?.close();
  log.info({}, 'stopped');
  await logWritten();
  return 0;
}

/**
 * The certificate and key of --tls-cert and --tls-key, checked now (a PEM that does not parse,
 * a key that is not the certificate's): an error naming the files, where a listener's would
 * say only "PEM routines::no start line".
 */
function tlsFiles(certPath: string, keyPath: string): TlsServerOptions {
  // The fs error alone ("EISDIR: illegal operation on a directory, read") names no file.
  const read = (option: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`${option} ${path}: cannot read: ${(e as Error).message}`, { cause: e });
    }
  };
  const tls = { cert: read('--tls-cert', certPath), key: read('--tls-key', keyPath) };
  try {
    process.getBuiltinModule('node:tls').createSecureContext(tls);
  } catch (e) {
    throw new Error(`--tls-cert ${certPath} and --tls-key ${keyPath}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return tls;
}

process.exit(await main(process.argv.slice(2)));
