// Kamailio's msrp module as a relay for the benchmarks (bench/relay-kamailio.ts): found on
// this machine, started in the foreground on a free loopback port with a config written here
// (the relay of test/helpers/kamailio.ts, with the bench's users and without per-frame logs),
// stopped by the caller.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MsrpUri } from '@msrp-ts/msrp-core';

/** The kamailio binary, if installed (/usr/sbin is not on every user's PATH). */
export function findKamailio(): string | undefined {
  return ['kamailio', '/usr/sbin/kamailio', '/usr/local/sbin/kamailio'].find(
    (bin) => spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0,
  );
}

/** A running Kamailio relay. */
export interface KamailioRelay {
  uri: MsrpUri;
  /** CPU time (user + system) of Kamailio's main process and all its children so far, in ms. */
  cpu(): number;
  /** The tail of Kamailio's log (warnings and errors), to show when a run through it fails. */
  log(): string;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** CPU time of `pid` and its descendants, in ms, from /proc (Linux). */
function treeCpuMs(pid: number): number {
  let ms = 0;
  try {
    // Fields after the command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ms += ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const child of children ? children.split(' ') : []) ms += treeCpuMs(Number(child));
  } catch {
    // It exited meanwhile: its time is gone with it.
  }
  return ms;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Kamailio's msrp module as an RFC 4976 relay, as its README sets one up: AUTH with a Digest
 * challenge then `msrp_cmap_save()`; SEND and REPORT answered hop by hop and relayed: to the
 * next relay while there is one (with both endpoints on it, that is Kamailio itself, over a
 * connection to its own port), then over the connection the session authenticated on. Logs
 * warnings only: a line per frame would slow it.
 *
 * Kamailio has no backpressure: it answers each chunk as it reads it and queues what the next
 * hop has not taken yet; when a connection's queue passes `tcp_conn_wq_max` it drops the frame
 * and closes that connection ("write queue full"), and the message never completes. A sender
 * whose window is counted in 200s is never slowed by it, so on a busy 2-core machine its
 * own hop to itself fell 32 MiB behind and transfers stalled (seen at 9ceea6f and 0a0d5a2:
 * every chunk confirmed, no success REPORT). So its queues are sized to hold `queueBytes`
 * (the whole transfer) on each of its two outgoing connections, and its shared memory to
 * match; the memory is only touched if the queue fills.
 */
function config(
  port: number,
  users: readonly { username: string; password: string }[],
  tcpChildren: number,
  queueBytes: number,
): string {
  const passwords = users
    .map(
      (u, i) =>
        `\t\t${i === 0 ? 'if' : '} else if'} ($au == "${u.username}") {\n` +
        `\t\t\t$var(passwd) = "${u.password}";\n`,
    )
    .join('');
  return `#!KAMAILIO
debug=0
log_stderror=yes
children=1
tcp_children=${tcpChildren}
tcp_conn_wq_max=${queueBytes}
tcp_wq_max=${2 * queueBytes}
auto_aliases=no
dns=no
rev_dns=no
enable_sctp=0
tcp_accept_no_cl=yes
listen=tcp:127.0.0.1:${port}

loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "auth.so"
loadmodule "msrp.so"

modparam("auth", "qop", "auth")
modparam("msrp", "cmap_size", 8)

request_route {
\tsl_send_reply("403", "No SIP Here");
\texit;
}

event_route[msrp:frame-in] {
\tmsrp_reply_flags("1");
\tif (msrp_is_reply()) {
\t\texit;
\t}
\tif ($msrp(method) == "AUTH") {
\t\t$var(passwd) = "";
${passwords}\t\t}
\t\tif ($var(passwd) == "" || !pv_www_authenticate("kamailio.bench", "$var(passwd)", "0", "AUTH")) {
\t\t\tif (auth_get_www_authenticate("kamailio.bench", "1", "$var(wauth)")) {
\t\t\t\tmsrp_reply("401", "Unauthorized", "$var(wauth)");
\t\t\t} else {
\t\t\t\tmsrp_reply("500", "Server Error");
\t\t\t}
\t\t\texit;
\t\t}
\t\tmsrp_cmap_save();
\t\texit;
\t}
\tif ($msrp(method) == "SEND" || $msrp(method) == "REPORT") {
\t\tif ($msrp(nexthops) > 1) {
\t\t\tif ($msrp(method) == "SEND") {
\t\t\t\tmsrp_reply("200", "OK");
\t\t\t}
\t\t\tmsrp_relay();
\t\t\texit;
\t\t}
\t\tif (msrp_cmap_lookup()) {
\t\t\tif ($msrp(method) == "SEND") {
\t\t\t\tmsrp_reply("200", "OK");
\t\t\t}
\t\t\tmsrp_relay_flags("1");
\t\t\tmsrp_relay();
\t\t} else {
\t\t\tmsrp_reply("481", "Session Does Not Exist");
\t\t}
\t\texit;
\t}
\tmsrp_reply("501", "Not Implemented");
}
`;
}

/**
 * Starts Kamailio (`bin`) as a relay knowing `users` on a free loopback port, with
 * `tcpChildren` TCP worker processes (besides its main and TCP attendant processes), and write
 * queues that hold `queueBytes` per connection (see config()).
 * @throws Error with Kamailio's log when it exits or does not listen within 10 s.
 */
export async function startKamailio(
  bin: string,
  users: readonly { username: string; password: string }[],
  tcpChildren = 2,
  queueBytes = 32 * 1024 * 1024,
): Promise<KamailioRelay> {
  // Kamailio's limits are C ints (tcp_wq_max is twice this: under 2 GiB); its shared memory
  // holds both queues and its own ~64 MiB.
  const queue = Math.min(Math.ceil(queueBytes * 1.1), 1023 * 1024 * 1024);
  const shmMiB = Math.ceil((2 * queue) / 1024 / 1024) + 128;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'msrp-bench-kamailio-'));
  const file = join(dir, 'kamailio.cfg');
  await writeFile(file, config(port, users, tcpChildren, queue));
  const child = spawn(
    bin,
    ['-DD', '-E', '-m', String(shmMiB), '-f', file, '-P', join(dir, 'kamailio.pid'), '-Y', dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Kept short: shown if it fails to start, or a run through it fails.
  let output = '';
  const keep = (s: string): void => void (output = (output + s).slice(-8000));
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`kamailio exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`kamailio did not listen on ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const uri: MsrpUri = { scheme: 'msrp', host: '127.0.0.1', port, transport: 'tcp', params: [] };
  const pid = child.pid!;
  return { uri, cpu: () => treeCpuMs(pid), log: () => output, stop };
}
