// `msrp-relay users add|remove|list`: manages the users of --users-db or of a --users file.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { escapeIdentifier, Pool } from 'pg';
import { SubscriberTable, type SubscriberSecrets } from '../subscriber-table.js';
import { OPTIONS as RELAY_OPTIONS, unknownRelayEnv } from './config.js';
import { unknownEnvLine } from './env-names.js';
import { readOptions, UsageError, type OptionReader } from './option-reader.js';
import { USERS_DB_HELP } from './help.js';
import { USERS_DB_OPTIONS, usersDbConfig, type UsersDbConfig } from './users-db-options.js';
import { usersFileCommand } from './users-file-command.js';
import { badUsersFileField } from '../users-file.js';

const USERS_HELP = `Usage: msrp-relay users add NAME [PASSWORD] [options]
       msrp-relay users remove NAME [options]
       msrp-relay users list [options]

Manages the users of the PostgreSQL subscriber table the relay reads with --users-db, or
of the users file it reads with --users. Where both are named (a relay.json naming both, as
the relay reads both), the one given on the command line is managed.

In a users file, add writes (or replaces) NAME's lines for REALM with an MD5 and a SHA-256
HA1 line (NAME:REALM:MD5|SHA-256:HA1), never the password; remove deletes them (and a
NAME:PASSWORD line); other lines and comments are kept. The file is replaced at once, with
its mode; the relay reads it again on SIGHUP.

In the database, add writes (or replaces) ha1 = MD5(NAME:REALM:PASSWORD), ha1b =
MD5(NAME@REALM:REALM:PASSWORD) and, where the table has the column, the SHA-256 HA1
(--users-db-column ha1-sha256=..., else a column named ha1_sha256); the password column
stays empty unless --store-password.

Without PASSWORD the first line of standard input is the password (it then stays out of the
process list and the shell history). list prints each user with what holds its secrets
(columns; in a file: password, MD5, SHA-256), never the secrets.

Options (also as MSRP_RELAY_<NAME> variables and --config keys, as for the relay):
  --users FILE              the users file (created by add when missing)
${USERS_DB_HELP}
  --realm REALM             the realm, and the users' domain. Default msrp-relay
  --store-password          store the plain password too (for --users-db-plain-passwords)
  --config FILE             JSON file with any of the relay's options
  -h, --help                show this help

Exit codes: 0 done, 1 database or file error, or no such user, 2 usage error.`;

const OPTIONS = {
  users: { type: 'string' },
  ...USERS_DB_OPTIONS,
  realm: { type: 'string' },
  'store-password': { type: 'boolean' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SECRET_NAMES: Record<keyof SubscriberSecrets, keyof SubscriberTable['columns']> = {
  password: 'password',
  ha1: 'ha1',
  ha1b: 'ha1b',
  ha1Sha256: 'ha1Sha256',
};

/** Runs `msrp-relay users ...` with `args` (after `users`); the exit code. */
export async function usersCommand(args: readonly string[]): Promise<number> {
  const fail = (code: number, message: string): number => {
    process.stderr.write(`msrp-relay users: ${message}\n`);
    return code;
  };
  // A misspelt variable is no option: the command would act on the default instead.
  for (const unknown of unknownRelayEnv(process.env))
    process.stderr.write(`msrp-relay users: ${unknownEnvLine(unknown)}\n`);
  let read: OptionReader;
  let db: UsersDbConfig | undefined;
  let file: string | undefined;
  try {
    read = readOptions(args, process.env, (path) => readFileSync(path, 'utf8'), OPTIONS, {
      positionals: true,
      // The relay's config file serves here too: its other keys are not errors.
      fileKeys: Object.keys(RELAY_OPTIONS),
    });
    if (read.help) {
      process.stdout.write(`${USERS_HELP}\n`);
      return 0;
    }
    db = usersDbConfig(read);
    file = read.one('users');
    if (db === undefined && file === undefined)
      throw new UsageError('give one of --users FILE and --users-db postgres://...');
    if (db !== undefined && file !== undefined) {
      // The relay reads both (relay.example.json names both): a flag says which to manage.
      const flagged = (name: string): boolean => read.source(name) === `--${name}`;
      if (flagged('users') === flagged('users-db'))
        throw new UsageError(
          flagged('users')
            ? 'give one of --users FILE and --users-db postgres://...'
            : `${read.source('users')} and ${read.source('users-db')} both name users: give --users FILE or --users-db postgres://... to say which to manage`,
        );
      if (flagged('users')) db = undefined;
      else file = undefined;
    }
  } catch (e) {
    if (e instanceof UsageError) return fail(2, `${e.message} (see msrp-relay users --help)`);
    throw e;
  }
  const [action, name, password, ...extra] = read.positionals;
  const arity = { add: [2, 3], remove: [2, 2], list: [1, 1] }[action ?? ''];
  const count = read.positionals.length;
  if (!arity || count < arity[0]! || count > arity[1]! || extra.length > 0)
    return fail(
      2,
      'expected add NAME [PASSWORD], remove NAME or list (see msrp-relay users --help)',
    );
  // A user of no name was added, and a client giving no name then got in as them.
  if (action !== 'list' && name === '')
    return fail(2, `NAME must be a user name, not ${JSON.stringify(name)}`);
  const realm = read.one('realm') ?? 'msrp-relay';
  if (file !== undefined && action !== 'list') {
    for (const [what, text] of [
      ['NAME', name!],
      ['--realm', realm],
    ] as const) {
      const bad = badUsersFileField(text);
      if (bad) return fail(2, `${what} cannot go in a users file: it ${bad}`);
    }
  }
  const secret = action === 'add' ? (password ?? (await firstLine())) : undefined;
  if (action === 'add' && !secret) return fail(2, 'no password given');
  const act = action as 'add' | 'remove' | 'list';
  try {
    return file !== undefined
      ? await usersFileCommand(file, act, name!, realm, secret)
      : await databaseUsers(db!, act, name!, realm, secret, read.flag('store-password'));
  } catch (e) {
    return fail(1, (e as Error).message);
  }
}

/** `users ACTION` on the database; prints what it did; the exit code (1: no such user). */
async function databaseUsers(
  db: UsersDbConfig,
  action: 'add' | 'remove' | 'list',
  name: string,
  realm: string,
  password: string | undefined,
  storePassword: boolean,
): Promise<number> {
  const pool = new Pool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    let table = new SubscriberTable(db.table, db.columns);
    if (db.columns.ha1Sha256 === undefined && (await hasColumn(pool, table.name, 'ha1_sha256')))
      table = new SubscriberTable(db.table, { ...db.columns, ha1Sha256: 'ha1_sha256' });
    if (action === 'list') {
      for (const user of await table.list(pool)) {
        const secrets = user.secrets.map((s) => table.columns[SECRET_NAMES[s]]).join(',');
        const who = user.domain === undefined ? user.username : `${user.username}@${user.domain}`;
        process.stdout.write(`${who}\t${secrets}\n`);
      }
      return 0;
    }
    if (action === 'remove') {
      if (await table.remove(pool, name, realm)) {
        process.stdout.write(`removed ${name}@${realm}\n`);
        return 0;
      }
      process.stderr.write(`msrp-relay users: no user ${name}@${realm}\n`);
      return 1;
    }
    const added = await table.put(pool, {
      username: name,
      domain: realm,
      password: password!,
      storePassword,
    });
    process.stdout.write(`${added ? 'added' : 'updated'} ${name}@${realm}\n`);
    return 0;
  } finally {
    await pool.end();
  }
}

/** Whether `table` (as named on the command line: search_path applies) has `column`. */
async function hasColumn(pool: Pool, table: string, column: string): Promise<boolean> {
  const regclass = table.split('.').map(escapeIdentifier).join('.');
  const { rows } = await pool.query(
    'SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped',
    [regclass, column],
  );
  return rows.length > 0;
}

/** The first line of standard input, or undefined when it ends first. */
async function firstLine(): Promise<string | undefined> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return undefined;
}
