// Edits the text of a users file for `msrp-relay users ... --users FILE`, one that
// parseUsersFile reads: a user's lines are replaced or removed, every other line (comments
// included) is kept as is.
import { DIGEST_ALGORITHMS, digestHa1 } from '@msrp-ts/msrp-core/internal';
import { splitUsersFileLine } from './file-credential-store.js';

/** Lines of `text` (its final line break kept apart, so that it is written back). */
function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Whether a line of the file is `username`'s in `realm`: its password line (good for any
 * realm) or one of its HA1s of that realm.
 */
const ofUser =
  (username: string, realm: string) =>
  (raw: string): boolean => {
    const user = splitUsersFileLine(raw);
    return user?.username === username && (user.realm === undefined || user.realm === realm);
  };

/**
 * Why `text` cannot be a user name or realm in the file ("is empty", ...), or undefined when
 * it can: the file splits its lines at `:` and ends them at `#`, white space or a line break.
 */
export function badUsersFileField(text: string): string | undefined {
  if (text === '') return 'is empty';
  return /[:#\s]/.test(text) ? 'holds ":", "#" or white space' : undefined;
}

/**
 * `text` with `username`'s lines for `realm` (and its password line) replaced by an HA1 of
 * each digest algorithm, at the place of its first line, or at the end for a new user; the
 * password itself is not written.
 */
export function putUsersFileUser(
  text: string,
  username: string,
  realm: string,
  password: string,
): { text: string; added: boolean } {
  const lines = linesOf(text);
  const mine = ofUser(username, realm);
  const first = lines.findIndex(mine);
  const ha1Lines = DIGEST_ALGORITHMS.map(
    (algorithm) =>
      `${username}:${realm}:${algorithm}:${digestHa1(algorithm, username, realm, password)}`,
  );
  const kept = lines.filter((line) => !mine(line));
  // No line before its first is the user's: index `first` is the same place in `kept`.
  kept.splice(first < 0 ? kept.length : first, 0, ...ha1Lines);
  return { text: `${kept.join('\n')}\n`, added: first < 0 };
}

/** `text` without `username`'s lines for `realm` (and its password line). */
export function removeUsersFileUser(
  text: string,
  username: string,
  realm: string,
): { text: string; removed: boolean } {
  const lines = linesOf(text);
  const mine = ofUser(username, realm);
  const kept = lines.filter((line) => !mine(line));
  return {
    text: kept.length === 0 ? '' : `${kept.join('\n')}\n`,
    removed: kept.length < lines.length,
  };
}

/**
 * Each user of the file, as `name` (a password, any realm) or `name@realm`, with what it is
 * given by: `password`, or its HA1 algorithms; never the secrets.
 */
export function listUsersFile(text: string): { user: string; secrets: string[] }[] {
  const users = new Map<string, string[]>();
  for (const raw of linesOf(text)) {
    const line = splitUsersFileLine(raw);
    if (line === undefined) continue;
    const who = line.realm === undefined ? line.username : `${line.username}@${line.realm}`;
    const secrets = users.get(who) ?? [];
    const secret = line.algorithm ?? 'password';
    if (!secrets.includes(secret)) secrets.push(secret);
    users.set(who, secrets);
  }
  return [...users].map(([user, secrets]) => ({ user, secrets }));
}
