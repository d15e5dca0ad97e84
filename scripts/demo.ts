// `pnpm demo`: the whole system doing its main job on embedded defaults. A relay on loopback,
// alice and bob authenticate to it, negotiate an MSRP session with SDP inside SIP (INVITE /
// 200 OK), chat both ways, and alice sends bob a generated file through the relay; the
// hashes are compared and a summary printed. Exits 0 only when all of it worked.
// Usage: pnpm demo [--size 100M] [--chunk-size 256k] [--keep]
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  Endpoint,
  formatUri,
  type IncomingMessage,
  type MsrpUri,
  type Progress,
} from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';
import { createAnswer, createOffer, extractSdp, negotiate } from '@msrp-ts/sdp-msrp';

const USERS = [
  { username: 'alice', password: 'alice-demo-password' },
  { username: 'bob', password: 'bob-demo-password' },
];

const HELP = `Usage: pnpm demo [--size 100M] [--chunk-size 256k] [--keep]

A relay on loopback; alice and bob authenticate to it, negotiate a session with SDP in a
SIP INVITE, chat, and alice sends bob a generated file through the relay. Exit 0 only if
all of it worked.

  --size N        size of the file (k, M, G suffixes: binary multiples). Default 100M
  --chunk-size N  body bytes per chunk. Default 256k
  --keep          keep the files (their directory is printed)
  -h, --help      show this help`;

/** A mistake on the command line: one line on stderr and exit 2, never a stack trace. */
function usageError(message: string): never {
  process.stderr.write(`demo: ${message} (see pnpm demo --help)\n`);
  process.exit(2);
}

function parseFlags(): { size: string; 'chunk-size': string; keep: boolean } {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== '--'),
      options: {
        size: { type: 'string', default: '100M' },
        'chunk-size': { type: 'string', default: '256k' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    }
    return values;
  } catch (e) {
    return usageError((e as Error).message.split('\n')[0]!);
  }
}

const values = parseFlags();

function bytesOf(flag: string, text: string): number {
  const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(text.trim());
  const n = m
    ? Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()]!
    : NaN;
  if (!Number.isSafeInteger(n) || n <= 0)
    usageError(`${flag} must be a positive size such as 100M, 1G or 64k, not "${text}"`);
  return n;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
/** `n` bytes for people: MiB from 1 MiB on, KiB below, bytes under 1 KiB. */
const mib = (n: number): string =>
  n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(1)} MiB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${n} bytes`;

/** A SIP message around an SDP body (the signalling is simulated; MSRP is real). */
function sip(startLine: string, headers: Record<string, string>, sdp: string): string {
  const lines = [startLine, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  lines.push('Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`);
  return `${lines.join('\r\n')}\r\n\r\n${sdp}`;
}

async function makeFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const block = randomBytes(1024 * 1024);
  for (let left = size; left > 0; left -= block.length) {
    const piece = left >= block.length ? block : block.subarray(0, left);
    // Vary the blocks so that a misplaced chunk changes the hash (a file of 4 bytes or more).
    if (piece.length >= 4) piece.writeUInt32BE(left >>> 0, 0);
    hash.update(piece);
    if (!out.write(Buffer.from(piece))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return hash.digest('hex');
}

function bar(progress: Progress): void {
  if (!process.stderr.isTTY) return;
  const total = progress.total ?? progress.bytes;
  const share = total > 0 ? progress.bytes / total : 1;
  const width = 30;
  const filled = Math.round(share * width);
  process.stderr.write(
    `\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%` +
      ` ${mib(progress.bytes)} ${(progress.rate / 1e6).toFixed(0)} MB/s `,
  );
}

async function next(inbox: AsyncIterator<IncomingMessage>): Promise<IncomingMessage> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    inbox.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result.done) throw new Error('the session ended early');
  return result.value;
}

async function main(): Promise<number> {
  const size = bytesOf('--size', values.size);
  const chunkSize = bytesOf('--chunk-size', values['chunk-size']);
  const dir = await mkdtemp(join(tmpdir(), 'msrp-demo-'));
  const relay = new Relay({ credentials: new StaticCredentialStore(USERS), realm: 'demo' });
  const endpoints: Endpoint[] = [];
  try {
    // 1. The relay, on loopback with a free port.
    const relayUri = await relay.listen({ host: '127.0.0.1', port: 0 });
    say(`relay     listening on ${formatUri(relayUri)} (users alice and bob, realm "demo")`);

    // 2. Alice and bob authenticate to it (AUTH with HTTP Digest, RFC 4976 §5).
    const login = async (username: string): Promise<Endpoint> => {
      const { password } = USERS.find((u) => u.username === username)!;
      const endpoint = new Endpoint({
        relays: [{ uri: relayUri, username, password }],
        session: { chunkSize, acceptTypes: ['text/plain', 'application/*'] },
      });
      endpoints.push(endpoint);
      const usePath = await endpoint.authenticate();
      say(`${username.padEnd(9)} authenticated, Use-Path ${usePath.map(formatUri).join(' ')}`);
      return endpoint;
    };
    const alice = await login('alice');
    const bob = await login('bob');

    // 3. Alice invites bob: her SDP offer in a SIP INVITE, his answer in the 200 OK.
    const aliceSession = alice.createSession();
    const relayPath = (path: readonly MsrpUri[]): MsrpUri[] => path.slice(0, -1);
    const offer = createOffer({
      localUri: aliceSession.localUri,
      relayPath: relayPath(aliceSession.localPath),
      acceptTypes: ['text/plain', 'application/*'],
    });
    const invite = sip(
      'INVITE sip:bob@demo.invalid SIP/2.0',
      {
        From: '<sip:alice@demo.invalid>;tag=a1',
        To: '<sip:bob@demo.invalid>',
        'Call-ID': 'msrp-demo',
        CSeq: '1 INVITE',
      },
      offer,
    );
    say(
      `alice     → bob: SIP INVITE with an MSRP offer (a=path ${aliceSession.localPath.length} URIs)`,
    );
    const bobSession = bob.createSession();
    const answer = createAnswer(extractSdp(invite), {
      localUri: bobSession.localUri,
      relayPath: relayPath(bobSession.localPath),
      acceptTypes: ['text/plain', 'application/*'],
    });
    if (!answer.accepted) throw new Error(`bob rejected the offer: ${answer.reason}`);
    const ok = sip(
      'SIP/2.0 200 OK',
      {
        From: '<sip:alice@demo.invalid>;tag=a1',
        To: '<sip:bob@demo.invalid>;tag=b1',
        'Call-ID': 'msrp-demo',
        CSeq: '1 INVITE',
      },
      answer.sdp,
    );
    say('bob       → alice: SIP 200 OK with the MSRP answer');
    const agreed = negotiate(offer, extractSdp(ok));
    if (!agreed.accepted) throw new Error(`negotiation failed: ${agreed.reason}`);
    // Each side sets up its session from its own view of the negotiation.
    for (const [side, session] of [
      [agreed.answerer, bobSession],
      [agreed.offerer, aliceSession],
    ] as const) {
      if (side.connects) await session.connect(side.remotePath);
      else session.accept(side.remotePath);
    }
    say(`session   agreed (${agreed.proto}, ${agreed.active} connects), through the relay`);

    // 4. A few lines of chat, both ways.
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    const lines: [string, typeof aliceSession, AsyncIterator<IncomingMessage>, string][] = [
      ['alice', aliceSession, bobInbox, 'Hi Bob, this goes through the relay.'],
      ['bob', bobSession, aliceInbox, 'Hi Alice! Loud and clear.'],
      ['alice', aliceSession, bobInbox, `Sending you a ${mib(size)} file now.`],
      ['bob', bobSession, aliceInbox, 'Go ahead.'],
    ];
    for (const [who, session, inbox, text] of lines) {
      await session.send(text);
      const got = (await next(inbox)).text();
      if (got !== text) throw new Error(`chat line garbled: ${JSON.stringify(got)}`);
      say(`${who.padEnd(9)} says: ${got}`);
    }

    // 5. The file, from alice's disk to bob's, hashed on both sides.
    const source = join(dir, 'demo-file.bin');
    const sourceHash = await makeFile(source, size);
    const started = performance.now();
    const sent = aliceSession.sendFile(source, { onProgress: bar, successReport: true });
    const incoming = await next(bobInbox);
    const saved = await incoming.saveTo(join(dir, 'received.bin'));
    const delivery = await sent;
    const seconds = (performance.now() - started) / 1000;
    if (process.stderr.isTTY) process.stderr.write('\n');
    const sameHash =
      saved.hash
        .replace(/^sha-256:/, '')
        .replace(/:/g, '')
        .toLowerCase() === sourceHash;
    say(
      `file      ${incoming.filename}: ${delivery.bytes} bytes sent, ${saved.bytes} received, ` +
        `sha-256 ${sameHash && saved.hashMatches ? 'matches' : 'DIFFERS'}`,
    );
    const peak = process.resourceUsage().maxRSS / 1024;
    say('');
    say('summary');
    say(`  bytes          ${saved.bytes} (${mib(saved.bytes)})`);
    say(`  time           ${seconds.toFixed(2)} s`);
    say(`  throughput     ${(saved.bytes / seconds / 1e6).toFixed(1)} MB/s through the relay`);
    say(`  peak memory    ${peak.toFixed(0)} MiB RSS (relay, alice and bob in this one process)`);
    say(
      `  relay          ${relay.stats.requestsForwarded} requests forwarded, ${relay.stats.sessions} sessions`,
    );
    const good =
      sameHash && saved.hashMatches === true && saved.bytes === size && delivery.bytes === size;
    say(good ? '\ndemo OK' : '\ndemo FAILED: the file did not arrive intact');
    return good ? 0 : 1;
  } finally {
    for (const endpoint of endpoints) await endpoint.close();
    await relay.close(1000);
    if (!values.keep) await rm(dir, { recursive: true, force: true });
    else say(`files kept in ${dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`demo FAILED: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
