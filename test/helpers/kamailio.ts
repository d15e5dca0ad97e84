// Kamailio as an interop relay (issue 10): found on this machine, started in the foreground
// on a free loopback port with a config the test writes, stopped after the test. Shared by
// test/kamailio.test.ts (MSRP over TCP) and test/kamailio-ws.test.ts (over WebSocket).
// `.ci/run` installs kamailio and kamailio-websocket-modules when they are missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFailed } from 'vitest';
import {
  Endpoint,
  type Dialer,
  type IncomingMessage,
  type MsrpUri,
  type RelayAccount,
} from '@msrp-ts/msrp-core';

// /usr/sbin is not on every user's PATH.
/** The kamailio binary, if installed. */
export const KAMAILIO = ['kamailio', '/usr/sbin/kamailio', '/usr/local/sbin/kamailio'].find(
  (bin) => spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0,
);

/**
 * The folder of Kamailio's modules that holds `module` (Debian: kamailio puts msrp.so there,
 * kamailio-websocket-modules websocket.so and xhttp.so), if any.
 */
export function kamailioModuleDir(module: string): string | undefined {
  const lib = (dir: string): string[] =>
    existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d, 'kamailio', 'modules')) : [];
  return [
    '/usr/lib/kamailio/modules',
    ...lib('/usr/lib'),
    '/usr/local/lib/kamailio/modules',
    '/usr/local/lib64/kamailio/modules',
  ].find((dir) => existsSync(join(dir, module)));
}

/** The accounts Kamailio's config knows (Digest, realm `kamailio.test`). */
export const USERS = [
  { username: 'alice', password: 'alice-secret' },
  { username: 'bob', password: 'bob-secret' },
] as const;
export type User = (typeof USERS)[number]['username'];

/** Registers what to undo after the test (run in reverse order by the test file). */
export type Defer = (cleanup: () => unknown) => void;

/** A free loopback TCP port: bind a throwaway server to port 0 and close it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The start of a Kamailio config for the relay tests: core settings, one TCP listener on
 * 127.0.0.1:`port`, the modules `msrpFrameRoute` needs then `modules` (from `mpath` when
 * given), their `modparams` lines, and a `request_route` refusing SIP.
 */
export function kamailioConfigHeader(
  port: number,
  options: { mpath?: string; modules?: string[]; modparams?: string[] } = {},
): string {
  const { mpath, modules = [], modparams = [] } = options;
  const lines = [
    '#!KAMAILIO',
    'debug=2',
    'log_stderror=yes',
    'children=1',
    'tcp_children=2',
    'auto_aliases=no',
    'dns=no',
    'rev_dns=no',
    'enable_sctp=0',
    'tcp_accept_no_cl=yes',
    `listen=tcp:127.0.0.1:${port}`,
    ...(mpath === undefined ? [] : [`mpath="${mpath}"`]),
    '',
    ...['sl', 'pv', 'xlog', 'auth', 'msrp', ...modules].map((m) => `loadmodule "${m}.so"`),
    '',
    'modparam("auth", "qop", "auth")',
    'modparam("msrp", "cmap_size", 8)',
    ...modparams,
    '',
    'request_route {',
    '\tsl_send_reply("403", "No SIP Here");',
    '\texit;',
    '}',
  ];
  return lines.join('\n') + '\n';
}

/**
 * The `event_route[msrp:frame-in]` of a Kamailio MSRP relay (RFC 4976) as the msrp module's
 * README sets one up: AUTH answered with a Digest challenge (qop=auth), then
 * `msrp_cmap_save()` (200 with Use-Path and Expires); SEND/REPORT answered hop by hop (200)
 * and relayed, to the next relay when there is one, else over the connection the session
 * was authenticated on. Responses stop here (the README's example relays them on, but SEND
 * transactions are hop by hop in RFC 4976 and Kamailio already answered the previous hop).
 * Needs sl, pv, xlog, auth and msrp loaded, and `modparam("auth", "qop", "auth")`.
 */
export function msrpFrameRoute(): string {
  const passwords = USERS.map(
    (u, i) =>
      `\t\t${i === 0 ? 'if' : '} else if'} ($au == "${u.username}") {\n` +
      `\t\t\t$var(passwd) = "${u.password}";\n`,
  ).join('');
  return `event_route[msrp:frame-in] {
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
 * Starts Kamailio in the foreground with `config` (which must listen on 127.0.0.1:`port`);
 * stopped (SIGTERM) after the test, its log printed if the test fails.
 * @throws Error with Kamailio's log when it exits or does not listen within 10 s.
 */
export async function startKamailio(config: string, port: number, defer: Defer): Promise<void> {
  if (KAMAILIO === undefined)
    throw new Error('kamailio is not installed (Debian: apt-get install kamailio; .ci/run does)');
  const dir = await mkdtemp(join(tmpdir(), 'msrp-kamailio-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'kamailio.cfg');
  await writeFile(file, config);
  const child = spawn(
    KAMAILIO,
    ['-DD', '-E', '-f', file, '-P', join(dir, 'kamailio.pid'), '-Y', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = once(child, 'exit');
  defer(() => stop(child, exited));
  onTestFailed(() => console.error(`kamailio log:\n${output}`));
  await listening(port, child, () => output);
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

/**
 * An endpoint authenticated as `username` to `relays`, in order (closed after the test).
 * @param dialers The endpoint's dialers (default: the Node ones).
 */
export async function clientOf(
  user: User,
  relays: readonly MsrpUri[],
  defer: Defer,
  dialers?: Readonly<Record<string, Dialer>>,
): Promise<Endpoint> {
  const { password } = USERS.find((u) => u.username === user)!;
  const accounts: RelayAccount[] = relays.map((uri) => ({ uri, username: user, password }));
  const endpoint = new Endpoint({ relays: accounts, ...(dialers && { dialers }) });
  defer(() => endpoint.close());
  await endpoint.authenticate();
  return endpoint;
}

/** The next message of a session, failing (rather than hanging) when none comes. */
export async function next(
  inbox: AsyncIterator<IncomingMessage>,
  what: string,
): Promise<IncomingMessage> {
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
