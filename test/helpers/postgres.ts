// A real PostgreSQL server for tests (issue 13): initdb in a temporary directory, postgres
// in the foreground on a free loopback port (and a Unix socket in that directory), stopped
// by the PID we started and the directory removed afterwards. Finds the binaries in
// /usr/local/bin (built from source) or Debian's /usr/lib/postgresql/<version>/bin;
// `.ci/run` installs Debian's `postgresql` when neither has them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './kamailio.js';

/** The folder holding `initdb` and `postgres`, if PostgreSQL is installed. */
export const POSTGRES_BIN: string | undefined = (() => {
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(debian, v, 'bin'))
    : [];
  return ['/usr/local/bin', '/usr/bin', ...versions].find(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')),
  );
})();

/** A PostgreSQL server of a test. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication). */
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown), keeping its data: {@link start} brings it back. */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

/**
 * The user postgres runs as: it refuses to run as root, so under root (CI containers) a
 * system user (Debian's `postgres`, else `nobody`) owns the data directory.
 */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0)
      return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error('running as root and no postgres or nobody user to run postgres as');
}

/**
 * Initialises a database cluster in a temporary directory and starts postgres on it,
 * resolving once it accepts connections.
 * @throws Error with postgres's log when it exits or is not ready within 20 s.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = POSTGRES_BIN;
  if (bin === undefined)
    throw new Error(
      'PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run does)',
    );
  const user = runAs();
  const dir = await mkdtemp(join(tmpdir(), 'msrp-postgres-'));
  if (user) await chown(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    { encoding: 'utf8', cwd: dir, ...ids },
  );
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}${init.stderr}`);
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';

  const start = async (): Promise<void> => {
    log = '';
    const server = spawn(
      join(bin, 'postgres'),
      [
        ...['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir],
        // A throwaway cluster: durability buys nothing, speed does.
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
        ...['-c', 'shared_buffers=16MB', '-c', 'max_connections=40'],
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...ids },
    );
    child = server;
    const exited = once(server, 'exit');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        server.kill('SIGKILL');
        reject(new Error(`postgres not ready within 20 s:\n${log}`));
      }, 20_000);
      const onData = (s: string): void => {
        log += s;
        // The postmaster says so once recovery is done and it takes connections.
        if (/database system is ready to accept connections/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout.setEncoding('utf8').on('data', onData);
      server.stderr.setEncoding('utf8').on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`postgres exited (${server.exitCode ?? server.signalCode}):\n${log}`));
      });
    });
  };

  const stop = async (): Promise<void> => {
    const server = child;
    child = undefined;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, 'exit');
    // SIGINT is postgres's fast shutdown: sessions are cut, the server exits at once.
    server.kill('SIGINT');
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await start();
  } catch (e) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
