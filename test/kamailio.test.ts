// Interoperation with Kamailio's msrp module as an RFC 4976 relay: msrp-core endpoints
// authenticate to it (Digest AUTH, Use-Path), exchange a chat message and a file through it,
// and go through a chain of our relay then Kamailio. Kamailio runs in the foreground on a
// free loopback port with a config written here; `.ci/run` installs it when missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  Endpoint,
  MsrpError,
  formatUri,
  type IncomingMessage,
  type MsrpUri,
  type RelayAccount,
} from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';

// /usr/sbin is not on every user's PATH.
const KAMAILIO = ['kamailio', '/usr/sbin/kamailio', '/usr/local/sbin/kamailio'].find(
  (bin) => spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0,
);

const USERS = [
  { username: 'alice', password: 'alice-secret' },
  { username: 'bob', password: 'bob-secret' },
] as const;
type User = (typeof USERS)[number]['username'];

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A free loopback TCP port: bind a throwaway server to port 0 and close it. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A Kamailio MSRP relay (RFC 4976) as the msrp module's README sets one up: AUTH answered
 * with a Digest challenge (qop=auth), then `msrp_cmap_save()` (200 with Use-Path and
 * Expires); SEND/REPORT answered hop by hop (200) and relayed, to the next relay when there
 * is one, else over the connection the session was authenticated on. Responses stop here
 * (the README's example relays them on, but SEND transactions are hop by hop in RFC 4976
 * and Kamailio already answered the previous hop).
 */
function kamailioConfig(port: number): string {
  const passwords = USERS.map(
    (u, i) =>
      `\t\t${i === 0 ? 'if' : '} else if'} ($au == "${u.username}") {\n` +
      `\t\t\t$var(passwd) = "${u.password}";\n`,
  ).join('');
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=2
auto_aliases=no
dns=no
rev_dns=no
enable_sctp=0
tcp_accept_no_cl=yes
listen=tcp:127.0.0.1:${port}

loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "auth.so"
loadmodule "msrp.so"

modparam("auth", "qop", "auth")
modparam("msrp", "cmap_size", 8)

request_route {
	sl_send_reply("403", "No SIP Here");
	exit;
}

event_route[msrp:frame-in] {
	xlog("L_INFO", "msrp $msrp(method) from $msrp(srcaddr) nexthops=$msrp(nexthops)\\n");
	msrp_reply_flags("1");
	if (msrp_is_reply()) {
		exit;
	}
	if ($msrp(method) == "AUTH") {
		if ($msrp(nexthops) > 0) {
			msrp_relay();
			exit;
		}
		$var(passwd) = "";
${passwords}		}
		if ($var(passwd) == "" || !pv_www_authenticate("kamailio.test", "$var(passwd)", "0", "AUTH")) {
			if (auth_get_www_authenticate("kamailio.test", "1", "$var(wauth)")) {
				msrp_reply("401", "Unauthorized", "$var(wauth)");
			} else {
				msrp_reply("500", "Server Error");
			}
			exit;
		}
		msrp_cmap_save();
		exit;
	}
	if ($msrp(method) == "SEND" || $msrp(method) == "REPORT") {
		if ($msrp(nexthops) > 1) {
			if ($msrp(method) == "SEND") {
				msrp_reply("200", "OK");
			}
			msrp_relay();
			exit;
		}
		if (msrp_cmap_lookup()) {
			if ($msrp(method) == "SEND") {
				msrp_reply("200", "OK");
			}
			msrp_relay_flags("1");
			msrp_relay();
		} else {
			msrp_reply("481", "Session Does Not Exist");
		}
		exit;
	}
	msrp_reply("501", "Not Implemented");
}
`;
}

/**
 * Starts Kamailio in the foreground on a free port; stopped (SIGTERM) after the test, its
 * log printed if the test fails. Returns the relay's URI.
 */
async function startKamailio(): Promise<{ uri: MsrpUri }> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-kamailio-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const config = join(dir, 'kamailio.cfg');
  await writeFile(config, kamailioConfig(port));
  const child = spawn(
    KAMAILIO!,
    ['-DD', '-E', '-f', config, '-P', join(dir, 'kamailio.pid'), '-Y', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = once(child, 'exit');
  cleanups.push(() => stop(child, exited));
  onTestFailed(() => console.error(`kamailio log:\n${output}`));
  await listening(port, child, () => output);
  return { uri: { scheme: 'msrp', host: '127.0.0.1', port, transport: 'tcp', params: [] } };
}

/** Ends the Kamailio we started (its main process ends its children), SIGKILL if it hangs. */
async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Waits until the port takes connections; fails with Kamailio's log if it exits first. */
async function listening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`kamailio exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`kamailio did not listen on ${port}:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An endpoint authenticated as `username` to `relays`, in order (closed after the test). */
async function clientOf(user: User, relays: readonly MsrpUri[]): Promise<Endpoint> {
  const { password } = USERS.find((u) => u.username === user)!;
  const accounts: RelayAccount[] = relays.map((uri) => ({ uri, username: user, password }));
  const endpoint = new Endpoint({ relays: accounts });
  cleanups.push(() => endpoint.close());
  await endpoint.authenticate();
  return endpoint;
}

/** The next message of a session, failing (rather than hanging) when none comes. */
async function next(inbox: AsyncIterator<IncomingMessage>, what: string): Promise<IncomingMessage> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    inbox.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result.done) throw new Error(`session ended before ${what}`);
  return result.value;
}

describe.skipIf(KAMAILIO === undefined)('Kamailio msrp module as the relay', () => {
  it('authenticates alice and bob (Digest, Use-Path) and carries chat and a file', async () => {
    const kamailio = await startKamailio();
    const alice = await clientOf('alice', [kamailio.uri]);
    const bob = await clientOf('bob', [kamailio.uri]);
    for (const usePath of [alice.usePath, bob.usePath]) {
      expect(usePath).toHaveLength(1);
      expect(usePath[0]).toMatchObject({ host: '127.0.0.1', port: kamailio.uri.port });
      expect(usePath[0]!.sessionId).toBeTruthy();
    }
    expect(alice.usePath[0]!.sessionId).not.toBe(bob.usePath[0]!.sessionId);
    expect(alice.registration!.expires).toBeGreaterThan(0);

    const bobSession = bob.createSession();
    const aliceSession = alice.createSession();
    // As SDP would carry them: each side's a=path, its relay first.
    expect(aliceSession.localPath.map(formatUri)).toEqual([
      formatUri(alice.usePath[0]!),
      formatUri(aliceSession.localUri),
    ]);
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();

    await aliceSession.send('hello bob, via kamailio');
    expect((await next(bobInbox, 'chat for bob')).text()).toBe('hello bob, via kamailio');
    await bobSession.send('hello alice');
    expect((await next(aliceInbox, 'chat for alice')).text()).toBe('hello alice');

    // A small file in several chunks (Kamailio relays frames of up to 10 KiB of body).
    const dir = await mkdtemp(join(tmpdir(), 'msrp-kamailio-file-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const bytes = randomBytes(20_000);
    await writeFile(join(dir, 'notes.bin'), bytes);
    const sending = aliceSession.sendFile(join(dir, 'notes.bin'));
    const file = await next(bobInbox, 'file for bob');
    const saved = await file.saveTo(join(dir, 'received.bin'));
    await sending;
    expect(file.filename).toBe('notes.bin');
    expect(saved.hashMatches).toBe(true);
    expect((await readFile(join(dir, 'received.bin'))).equals(bytes)).toBe(true);
  });

  it('refuses a wrong password with 401', async () => {
    const kamailio = await startKamailio();
    const mallory = new Endpoint({
      relays: [{ uri: kamailio.uri, username: 'alice', password: 'wrong' }],
    });
    cleanups.push(() => mallory.close());
    const error = await mallory.authenticate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect((error as MsrpError).status).toBe(401);
  });

  it('chains endpoint → our relay → Kamailio → endpoint, both ways', async () => {
    const kamailio = await startKamailio();
    const relay = new Relay({ credentials: new StaticCredentialStore([...USERS]) });
    cleanups.push(() => relay.close(1000));
    const relayUri = await relay.listen({ host: '127.0.0.1', port: 0 });
    const alice = await clientOf('alice', [relayUri]);
    const bob = await clientOf('bob', [kamailio.uri]);
    const bobSession = bob.createSession();
    const aliceSession = alice.createSession();
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    await aliceSession.send('through our relay, then kamailio');
    expect((await next(bobInbox, 'chat for bob')).text()).toBe('through our relay, then kamailio');
    await bobSession.send('and back through both');
    expect((await next(aliceInbox, 'chat for alice')).text()).toBe('and back through both');
    expect(relay.stats.requestsForwarded).toBeGreaterThanOrEqual(2);
  });
});
