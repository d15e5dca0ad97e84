// End-to-end tests of the `msrp` command: each test spawns the real CLI (the built bin, see
// cli-process.ts) on loopback and checks what it prints, stores and exits with.
import { execFile, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Readable, Writable } from 'node:stream';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  Endpoint,
  IncomingMessage,
  parseContentType,
  parseUri,
  PartialFile,
  type Session,
} from '@msrp-ts/msrp-core';
import { renderProgress } from '../src/progress.js';
import { safeFileName } from '../src/files.js';
import { Output, terminalSafe } from '../src/output.js';
import { printAbove } from '../src/chat-screen.js';
import { isKeepalive } from '../src/keepalive.js';
import {
  bin,
  jsonEvents,
  root,
  start,
  tsx,
  type Cli,
  type Exit,
  type Finished,
} from './cli-process.js';

/** Runs `msrp args` to its end. */
async function run(
  finished: Finished,
  args: readonly string[],
): Promise<Exit & { stdout: string; stderr: string }> {
  const cli = start(finished, args);
  const exit = await cli.exited;
  return { ...exit, stdout: cli.stdout, stderr: cli.stderr };
}

/**
 * A dated source file `name` of `bytes`, and in an output directory the part that a broken
 * transfer of a file of that name, size and date left: the first 100 000 octets of `held`.
 */
async function brokenTransfer(
  test: string,
  name: string,
  bytes: Buffer,
  held: Buffer,
): Promise<{ out: string; source: string }> {
  const out = await dir(`${test}-out`);
  const source = join(await dir(`${test}-src`), name);
  await writeFile(source, bytes);
  const modified = new Date('2026-01-02T03:04:05Z');
  await utimes(source, modified, modified);
  const part = await PartialFile.open(join(out, name), {
    size: bytes.length,
    transferId: 'broken',
    name,
    modified: modified.toUTCString().replace(/GMT$/, '+0000'),
  });
  const head = new IncomingMessage({
    messageId: 'broken',
    contentType: undefined,
    contentHeaders: [],
    size: 100_000,
  });
  head.body = new Uint8Array(held.subarray(0, 100_000));
  head.settle();
  await part.receive(head);
  return { out, source };
}

/** A library session connected to `uri` (a listener's), its endpoint closed after the test. */
async function peerOf(finished: Finished, uri: string): Promise<Session> {
  const endpoint = new Endpoint();
  finished(() => endpoint.close());
  const session = endpoint.createSession();
  await session.connect([parseUri(uri)]);
  return session;
}

/** Starts `msrp listen` on a free loopback port; resolves once it printed its URI. */
async function listen(
  finished: Finished,
  session: string,
  args: readonly string[] = [],
): Promise<{ cli: Cli; uri: string }> {
  const cli = start(finished, ['listen', '--uri', `msrp://127.0.0.1:0/${session};tcp`, ...args]);
  // The tests of this file start together, a score of processes at once: on 2 busy cores a
  // listener run by tsx took over 20 s (waitFor's default) to start; 50 s stays within 60.
  const [, uri] = await cli.waitFor('stdout', /^listening (\S+)\n/, 50_000);
  return { cli, uri: uri! };
}

/** RFC 5547 form of a SHA-256: `AB:CD:...`. */
function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').toUpperCase().match(/../g)!.join(':');
}

let tmp: string;
let tls: { cert: string; key: string; certPath: string; keyPath: string; fingerprint: string };

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'msrp-cli-test-'));
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 86_400_000),
  });
  tls = {
    cert: pems.cert,
    key: pems.private,
    certPath: join(tmp, 'cert.pem'),
    keyPath: join(tmp, 'key.pem'),
    fingerprint: `SHA-256 ${new X509Certificate(pems.cert).fingerprint256}`,
  };
  await writeFile(tls.certPath, tls.cert);
  await writeFile(tls.keyPath, tls.key);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh directory under the test's temporary directory. */
async function dir(name: string): Promise<string> {
  const path = join(tmp, name);
  await mkdir(path, { recursive: true });
  return path;
}

// Generous limits: each test spawns several processes, slow on a busy machine.
describe.concurrent('msrp CLI', { timeout: 60_000 }, () => {
  it('--help of the command and of each subcommand exits 0 and lists the flags', async ({
    expect,
    onTestFinished,
  }) => {
    const [top, listenHelp, sendHelp, chatHelp] = await Promise.all([
      run(onTestFinished, ['--help']),
      run(onTestFinished, ['listen', '--help']),
      run(onTestFinished, ['send', '-h']),
      run(onTestFinished, ['chat', '--help']),
    ]);
    for (const result of [top, listenHelp, sendHelp, chatHelp]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/Exit codes:[\s\S]*2 +usage error[\s\S]*4 +timeout/);
      // Wrapped for a terminal of 100 columns: a line the wrapping missed runs on past it.
      expect(result.stdout.split('\n').filter((line) => line.length > 100)).toEqual([]);
    }
    expect(top.stdout).toMatch(/^Usage: msrp <command>/);
    for (const command of ['listen', 'send', 'chat']) expect(top.stdout).toContain(`  ${command} `);
    for (const flag of [
      '--uri',
      '--accept-types',
      '--max-size',
      '--out',
      '--tls-cert',
      '--tls-key',
      '--json',
    ]) {
      expect(listenHelp.stdout).toContain(flag);
    }
    for (const flag of [
      '--to',
      '--from',
      '--text',
      '--file',
      '--chunk-size',
      '--report',
      '--content-type',
      '--fingerprint',
      '--ca',
      '--timeout',
      '--json',
    ]) {
      expect(sendHelp.stdout).toContain(flag);
    }
    for (const flag of ['--to', '--listen', '--uri', '--plain', '--mark-displayed', '--json']) {
      expect(chatHelp.stdout).toContain(flag);
    }
    // Examples copy-paste into a shell: an unquoted ";tcp" would end the command there.
    for (const result of [top, listenHelp, sendHelp, chatHelp]) {
      expect(unquotedUris(result.stdout)).toEqual([]);
    }
    expect(top.stdout).toContain("msrp send --to 'msrp://127.0.0.1:2855/inbox;tcp'");
    expect(sendHelp.stdout).toContain('--no-report');
    for (const text of [listenHelp.stdout, chatHelp.stdout]) {
      expect(text).toContain('text/x-msrp-heartbeat');
    }
    expect(listenHelp.stdout).toMatch(/--fingerprint[\s\S]*--ca[\s\S]*--reconnect/);
  });

  it("sdp answer on a terminal shows the offer's control characters, not runs them", async ({
    expect,
  }) => {
    // The answer carries the offered file's name; its escape sequences reached the terminal.
    const offer = join(await dir('tty-sdp'), 'offer.sdp');
    const lines = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0'];
    lines.push('m=message 2855 TCP/MSRP *', 'a=accept-types:*', 'a=sendonly');
    lines.push('a=path:msrp://127.0.0.1:2855/abc;tcp', 'a=file-transfer-id:x1');
    lines.push('a=file-selector:name:"x\x1b[2J.png" type:image/png size:2000');
    await writeFile(offer, `${lines.join('\r\n')}\r\n`);
    const command = `${bin} sdp answer --uri 'msrp://127.0.0.1:2856/me;tcp' ${offer}`;
    // util-linux script(1) runs it on a pseudo-terminal.
    const onTty = await new Promise<string>((resolve, reject) =>
      execFile('script', ['-qfec', command, '/dev/null'], { cwd: root }, (error, stdout) =>
        error ? reject(new Error(error.message)) : resolve(stdout),
      ),
    );
    expect(onTty).toContain('a=file-selector:name:"x^[[2J.png"');
    expect(onTty).not.toContain('\x1b');
  });

  it('--version prints the version of the package', async ({ expect, onTestFinished }) => {
    const { version } = JSON.parse(
      await readFile(join(root, 'packages/msrp-cli/package.json'), 'utf8'),
    ) as { version: string };
    const [long, short] = await Promise.all([
      run(onTestFinished, ['--version']),
      run(onTestFinished, ['-V']),
    ]);
    for (const result of [long, short]) {
      expect(result).toMatchObject({ code: 0, stdout: `msrp ${version}\n`, stderr: '' });
    }
  });

  it('listen shows neither heartbeats nor empty messages, and stores no file for them; an empty file it stores', async ({
    expect,
    onTestFinished,
  }) => {
    const out = await dir('keepalive-out');
    const { cli, uri } = await listen(onTestFinished, 'keepalive', ['--out', out]);
    const session = await peerOf(onTestFinished, uri);
    // msrp-node-lib keeps sessions alive with these.
    await session.send('HEARTBEAT', { contentType: 'text/x-msrp-heartbeat' });
    await session.send(Buffer.alloc(0), { contentType: 'application/octet-stream' });
    await session.send('a real line');
    await cli.waitFor('stdout', /^a real line$/m);
    expect(cli.stdout).toMatch(/^listening \S+\na real line\n$/);
    expect(await readdir(out)).toEqual([]);
    // A file of 0 bytes is still a file (as `msrp send --file` sends one: its name, attachment).
    const empty = join(await dir('keepalive-src'), 'empty.log');
    await writeFile(empty, '');
    await session.sendFile(empty);
    const [, path] = await cli.waitFor(
      'stdout',
      /^saved (\S+) \(0 bytes, sha-256 \S+, hash matched\)$/m,
    );
    expect(path).toBe(join(out, 'empty.log'));
    expect(await readFile(path!)).toHaveLength(0);
  });

  it('rejects unknown commands, unknown flags and bad values with exit 2 and one line', async ({
    expect,
    onTestFinished,
  }) => {
    const notPem = join(await dir('not-pem'), 'cert.pem');
    await writeFile(notPem, 'not a certificate\n');
    const badCert = join(await dir('not-pem'), 'bad-ca.pem');
    await writeFile(badCert, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const lineBreakName = join(await dir('not-pem'), 'two\nlines.txt');
    await writeFile(lineBreakName, 'x');
    const sendWithCa = ['send', '--to', 'msrps://127.0.0.1:9/x;tcp', '--text', 'hi', '--ca'];
    const results = await Promise.all([
      run(onTestFinished, ['fly']),
      run(onTestFinished, ['send', '--to', 'msrp://127.0.0.1:9/x;tcp', '--txet', 'hi']),
      run(onTestFinished, ['listen', '--uri', 'http://example.com/', '--max-size', '1k']),
      // It printed "listening ...;ws" that no sender could reach: endpoints listen over TCP.
      run(onTestFinished, ['listen', '--uri', 'msrp://127.0.0.1:0/inbox;ws']),
      // It was exit 3, "cannot listen on ...: error:0480006C:PEM routines::no start line".
      run(onTestFinished, [
        ...['listen', '--uri', 'msrps://127.0.0.1:0/inbox;tcp'],
        ...['--tls-cert', notPem, '--tls-key', notPem],
      ]),
      // A CA that is no certificate was taken, and the handshake failed as untrusted.
      run(onTestFinished, [...sendWithCa, notPem]),
      run(onTestFinished, [...sendWithCa, badCert]),
      run(onTestFinished, [
        ...['send', '--to', 'msrp://127.0.0.1:9/x;tcp'],
        ...['--file', notPem, '--name', 'a/b'],
      ]),
      run(onTestFinished, [
        ...['listen', '--relay', 'msrp://127.0.0.1:9;tcp', '--user', '', '--password', 'pw'],
      ]),
      // It blamed a --name the user never gave.
      run(onTestFinished, ['send', '--to', 'msrp://127.0.0.1:9/x;tcp', '--file', lineBreakName]),
      // Past 2^31 - 1 ms a timer fires at once: it "timed out after 3000000000 ms" in 1 ms.
      run(onTestFinished, [
        'send',
        '--to',
        'msrp://127.0.0.1:9/x;tcp',
        '--text',
        'hi',
        '--timeout',
        '3000000000',
      ]),
      // sdp has no --json: it said so in a JSON error event on stdout as well.
      run(onTestFinished, ['sdp', 'offer', '--json']),
      // It said "delivered message: 0 bytes", and listen drops an empty text as a keepalive.
      run(onTestFinished, ['send', '--to', 'msrp://127.0.0.1:9/x;tcp', '--text', '']),
      // It said only "Option '--timeout' argument is ambiguous."
      run(onTestFinished, ['send', '--to', 'msrp://127.0.0.1:9/x;tcp', '--timeout', '-5']),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^msrp( \w+)?: [^\n]+\n$/);
    }
    expect(results[11].stderr).toContain("'--json'");
    expect(results[11].stdout).toBe('');
    expect(results[0].stderr).toContain('unknown command "fly"');
    expect(results[1].stderr).toContain("'--txet'");
    expect(results[2].stderr).toContain('--uri: Invalid MSRP URI');
    expect(results[3].stderr).toContain('--uri: listening is over tcp, not ws');
    expect(results[4].stderr).toContain(`--tls-cert ${notPem} and --tls-key ${notPem}: `);
    expect(results[5].stderr).toContain(`--ca: ${notPem} holds no PEM certificate`);
    expect(results[6].stderr).toContain(`--ca: certificate 1 of ${badCert}: `);
    expect(results[7].stderr).toContain('--name must be a file name, not "a/b"');
    expect(results[8].stderr).toContain('--user must be a user name, not empty');
    expect(results[9].stderr).toContain(
      '--file: the name "two\\nlines.txt" cannot be sent; give another with --name',
    );
    expect(results[10].stderr).toContain(
      '--timeout must be a number of milliseconds from 1 to 2147483647',
    );
    expect(results[12].stderr).toContain('--text is empty');
    expect(results[13].stderr).toContain(
      "Option '--timeout' argument is ambiguous. To specify an option argument starting with a dash use '--timeout=-XYZ'.",
    );
  });

  it('pnpm demo: --help, a bad flag or --size is one line and exit 2; a 3-byte file goes through', async ({
    expect,
  }) => {
    const demo = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(
          tsx,
          ['--conditions=source', 'scripts/demo.ts', ...args],
          { cwd: root },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const [help, size, zero, flag, tiny] = await Promise.all([
      demo(['--help']),
      demo(['--size', 'lots']),
      demo(['--size', '0']),
      demo(['--sise', '1M']),
      demo(['--size', '3']),
    ]);
    // The smallest file there is, through the relay: the whole demo runs.
    expect(tiny.code, tiny.stderr).toBe(0);
    expect(tiny.stdout).toMatch(/Sending you a 3 bytes file now[\s\S]*demo OK/);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: pnpm demo [\s\S]*--size/);
    for (const result of [size, zero, flag]) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^demo: [^\n]+\n$/);
    }
    expect(size.stderr).toContain('--size must be a positive size');
    expect(flag.stderr).toContain("'--sise'");
  });

  it('listen prints the URI it really listens on and exits 0 on SIGTERM', async ({
    expect,
    onTestFinished,
  }) => {
    const { uri } = await listen(onTestFinished, 'inbox');
    const parsed = parseUri(uri);
    expect(parsed).toMatchObject({ scheme: 'msrp', host: '127.0.0.1', sessionId: 'inbox' });
    expect(parsed.port).toBeGreaterThan(0);
    // With --json the first line says the same, with the pid of the process that listens.
    const cli = start(onTestFinished, ['listen', '--uri', 'msrp://127.0.0.1:0;tcp', '--json']);
    const [line] = await cli.waitFor('stdout', /^.*\n/);
    const listening = JSON.parse(line) as { event: string; uri: string; pid: number };
    expect(listening.event).toBe('listening');
    const port = parseUri(listening.uri).port!;
    expect(listening.uri).toMatch(new RegExp(`^msrp://127\\.0\\.0\\.1:${port}/[0-9a-f]{24};tcp$`));
    // Something really listens there.
    const socket = netConnect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.destroy();
    // The pid is the command's own: `kill <pid>` stops it cleanly.
    expect(listening.pid).toBe(cli.child.pid);
    process.kill(listening.pid, 'SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stderr).toBe('');
  });

  it('send --text arrives on the listener stdout; a second send binds the session again', async ({
    expect,
    onTestFinished,
  }) => {
    const { cli, uri } = await listen(onTestFinished, 'text');
    const first = await run(onTestFinished, ['send', '--to', uri, '--text', 'Hello, MSRP!']);
    expect(first.stderr).toBe('');
    expect(first.code, first.stderr).toBe(0);
    // No rate for a short text: "(0.00 MB/s)" says nothing.
    expect(first.stdout).toMatch(/^delivered message: 12 bytes in [\d.]+ s\n$/);
    await cli.waitFor('stdout', /^Hello, MSRP!$/m);
    // The first sender has left: the next one binds the same session URI (rebind), and
    // --report waits for the success REPORT.
    const second = await run(onTestFinished, ['send', '--to', uri, '--text', 'second', '--report']);
    expect(second.stderr).toBe('');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^delivered message: 6 bytes .*, success report 200 OK\n$/);
    await cli.waitFor('stdout', /^Hello, MSRP!\nsecond$/m);
    expect(cli.stderr.match(/connected: msrp:/g)).toHaveLength(2);
  });

  it('send --file - streams standard input to its end, under --name; an empty input is an empty file', async ({
    expect,
    onTestFinished,
  }) => {
    // "cannot read -: ENOENT": a pipe (tar c dir | msrp send) could not be sent.
    const out = await dir('stdin-out');
    const { cli, uri } = await listen(onTestFinished, 'stdin', ['--out', out]);
    const bytes = randomBytes(3 * 1024 * 1024 + 5);
    const args = ['send', '--to', uri, '--file', '-', '--name', 'piped.bin'];
    const sender = start(onTestFinished, args);
    // In pieces, as a pipe gives them: the size is known only at the end.
    for (let k = 0; k < bytes.length; k += 1 << 20)
      sender.child.stdin!.write(bytes.subarray(k, k + (1 << 20)));
    sender.child.stdin!.end();
    expect((await sender.exited).code, sender.stderr).toBe(0);
    expect(sender.stdout).toMatch(/^delivered piped\.bin: 3145733 bytes in .*, sha-256 /);
    await cli.waitFor(
      'stdout',
      /^saved \S+piped\.bin \(3145733 bytes, sha-256 \S+, hash matched\)$/m,
    );
    expect((await readFile(join(out, 'piped.bin'))).equals(bytes)).toBe(true);
    const empty = start(onTestFinished, ['send', '--to', uri, '--file', '-']);
    empty.child.stdin!.end();
    expect((await empty.exited).code, empty.stderr).toBe(0);
    await cli.waitFor('stdout', /^saved \S+\/stdin \(0 bytes, /m);
    expect((await readdir(out)).sort()).toEqual(['piped.bin', 'stdin']);
  });

  it('send --file - and sdp refuse a directory on standard input, which Node reads as empty', async ({
    expect,
  }) => {
    const empty = await dir('stdin-dir');
    const fromDir = (command: string): SpawnSyncReturns<string> =>
      spawnSync('sh', ['-c', `"$0" ${command} < "$1"`, bin, empty], { encoding: 'utf8' });
    // A typo (`< dir` for `< file`) sent an empty file named stdin and exited 0.
    const sent = fromDir(`send --to 'msrp://127.0.0.1:9/s;tcp' --file -`);
    expect(sent.status).toBe(2);
    expect(sent.stderr).toBe(
      'msrp send: --file -: standard input is a directory (see msrp send --help)\n',
    );
    // sdp read it as empty text ("Neither a SIP message nor SDP"), and exited 1.
    for (const command of [
      'sdp inspect',
      'sdp inspect -',
      `sdp answer --uri 'msrp://127.0.0.1:9/s;tcp'`,
    ]) {
      const sdp = fromDir(command);
      expect(sdp.status, command).toBe(2);
      expect(sdp.stderr).toBe('msrp sdp: standard input is a directory (see msrp sdp --help)\n');
    }
  });

  it('send --file of 5 MiB is stored under --out with the same bytes and the hash matched', async ({
    expect,
    onTestFinished,
  }) => {
    const out = await dir('file-out');
    const source = join(await dir('file-src'), 'photo.bin');
    const bytes = randomBytes(5 * 1024 * 1024);
    await writeFile(source, bytes);
    const { cli, uri } = await listen(onTestFinished, 'files', ['--out', out]);
    const sent = await run(onTestFinished, [
      'send',
      '--to',
      uri,
      '--file',
      source,
      '--chunk-size',
      '64k',
    ]);
    expect(sent.stderr).toBe('');
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(
      new RegExp(`^delivered photo\\.bin: ${bytes.length} bytes in [\\d.]+ s \\([\\d.]+ MB/s\\)`),
    );
    expect(sent.stdout).toContain(`sha-256 ${sha256(bytes)}`);
    const [, path] = await cli.waitFor(
      'stdout',
      /^saved (\S+) \((\d+) bytes, sha-256 (\S+), hash matched\)$/m,
    );
    expect(path).toBe(join(out, 'photo.bin'));
    expect((await readFile(path!)).equals(bytes)).toBe(true);
    expect(cli.stdout).toContain(`(${bytes.length} bytes, sha-256 ${sha256(bytes)}, hash matched)`);
  });

  it('--json: listen and send print one JSON object per line; --report on a file', async ({
    expect,
    onTestFinished,
  }) => {
    const out = await dir('json-out');
    const source = join(await dir('json-src'), 'data.bin');
    const bytes = randomBytes(256 * 1024);
    await writeFile(source, bytes);
    const listener = start(onTestFinished, [
      'listen',
      '--uri',
      'msrp://127.0.0.1:0/json;tcp',
      '--out',
      out,
      '--json',
    ]);
    const [line] = await listener.waitFor('stdout', /^.*\n/);
    const listening = JSON.parse(line) as { event: string; uri: string };
    expect(listening.event).toBe('listening');
    const sent = await run(onTestFinished, [
      'send',
      '--to',
      listening.uri,
      '--file',
      source,
      '--json',
      '--report',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const events = sent.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toContain('progress');
    const delivered = events.at(-1)!;
    expect(delivered).toMatchObject({
      event: 'delivered',
      bytes: bytes.length,
      sha256: sha256(bytes),
      name: 'data.bin',
      report: { code: 200 },
    });
    await listener.waitFor('stdout', /"event":"file"/);
    const file = listener.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.event === 'file');
    expect(file).toMatchObject({
      path: join(out, 'data.bin'),
      bytes: bytes.length,
      hashMatches: true,
      sha256: sha256(bytes),
    });
  });

  it('a send to a port where nothing listens exits 3; to a peer that never answers, 4', async ({
    expect,
    onTestFinished,
  }) => {
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    // A "peer" that takes the connection and never says a word.
    const mute = createServer((socket) => socket.resume()).listen(0, '127.0.0.1');
    onTestFinished(() => void mute.close());
    await once(mute, 'listening');
    const mutePort = (mute.address() as { port: number }).port;
    const [refused, silent] = await Promise.all([
      run(onTestFinished, ['send', '--to', `msrp://127.0.0.1:${port}/nobody;tcp`, '--text', 'hi']),
      run(onTestFinished, [
        'send',
        '--to',
        `msrp://127.0.0.1:${mutePort}/mute;tcp`,
        '--text',
        'hi',
        '--timeout',
        '500',
      ]),
    ]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      new RegExp(
        `^msrp send: cannot connect to msrp://127\\.0\\.0\\.1:${port}/nobody;tcp: connect ECONNREFUSED[^\\n]*\\n$`,
      ),
    );
    expect(silent.code, silent.stderr).toBe(4);
    expect(silent.stderr).toMatch(/^msrp send: [^\n]*within 500 ms[^\n]*\n$/);
  });

  it('the listener refuses other content types with 415, large messages with 413, unknown sessions with 481', async ({
    expect,
    onTestFinished,
  }) => {
    const out = await dir('refusals-out');
    const source = join(await dir('refusals-src'), 'blob.bin');
    await writeFile(source, randomBytes(500));
    const { cli, uri } = await listen(onTestFinished, 'picky', [
      '--accept-types',
      'text/plain',
      '--max-size',
      '1000',
      '--out',
      out,
    ]);
    // The unknown session is never bound, so both sends may run at once.
    const [unsupported, unknown] = await Promise.all([
      run(onTestFinished, ['send', '--to', uri, '--file', source]),
      run(onTestFinished, ['send', '--to', uri.replace('/picky;', '/nobody;'), '--text', 'hi']),
    ]);
    expect(unsupported.code, unsupported.stderr).toBe(1);
    expect(unsupported.stderr).toMatch(
      /^msrp send: delivery failed: 415 [^\n]*application\/octet-stream[^\n]*\n$/,
    );
    expect(unknown.code, unknown.stderr).toBe(1);
    expect(unknown.stderr).toMatch(/^msrp send: [^\n]*481[^\n]*\n$/);
    const large = await run(onTestFinished, ['send', '--to', uri, '--text', 'y'.repeat(1001)]);
    expect(large.code, large.stderr).toBe(1);
    expect(large.stderr).toMatch(/^msrp send: delivery failed: 413 [^\n]*max-size 1000[^\n]*\n$/);
    expect(await readdir(out)).toEqual([]);
    expect(cli.stdout).toMatch(/^listening \S+\n$/);
    // The listener says what it refused (the reader never sees those messages), once each.
    await cli.waitFor('stderr', /refused message \S+ \(text\/plain, 1001 bytes\): 413 /);
    const refused = cli.stderr.match(/refused message .*/g) ?? [];
    expect(refused).toEqual([
      expect.stringMatching(/ \(application\/octet-stream, 500 bytes\): 415 Content type /),
      expect.stringMatching(/ \(text\/plain, 1001 bytes\): 413 Message of 1001 bytes exceeds/),
    ]);
  });

  it('resumes a file whose part it holds when --accept-types names the file type', async ({
    expect,
    onTestFinished,
  }) => {
    // The file offer of msrp send was refused (415) as not in --accept-types: no resume.
    const file = randomBytes(300_000);
    const { out, source } = await brokenTransfer('typed-resume', 'g.bin', file, file);
    const { cli, uri } = await listen(onTestFinished, 'typed-resume', [
      '--out',
      out,
      '--accept-types',
      'application/octet-stream',
    ]);
    const sent = await run(onTestFinished, ['send', '--to', uri, '--file', source]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toMatch(/resuming g\.bin at byte 100001/);
    await cli.waitFor(
      'stdout',
      /^saved \S+ \(300000 bytes, sha-256 \S+, hash matched, resumed at byte 100001\)$/m,
    );
    expect((await readFile(join(out, 'g.bin'))).equals(file)).toBe(true);
    expect(cli.stderr).not.toMatch(/refused/);
  });

  it('a peer sending garbage or breaking off mid-file loses its connection; the listener keeps serving', async ({
    expect,
    onTestFinished,
  }) => {
    const out = await dir('sturdy-out');
    const { cli, uri } = await listen(onTestFinished, 'sturdy', ['--out', out]);
    const port = parseUri(uri).port!;
    const junk = netConnect(port, '127.0.0.1');
    onTestFinished(() => void junk.destroy());
    await once(junk, 'connect');
    junk.end('GET / HTTP/1.1\r\nHost: example\r\n\r\n\x00\xff junk');
    junk.resume();
    await once(junk, 'close');
    await cli.waitFor('stderr', /^msrp listen: peer 127\.0\.0\.1:\d+: [^\n]+$/m);

    // The first chunks of two large files, then the connection ends: both streams abort
    // at once, one of them before the listener has read it from the session.
    const chunk = (tid: string, name: string): string =>
      `MSRP ${tid} SEND\r\nTo-Path: ${uri}\r\nFrom-Path: msrp://127.0.0.1:9/rude;tcp\r\n` +
      `Message-ID: ${tid}id\r\nByte-Range: 1-1000/5000000\r\n` +
      `Content-Disposition: attachment; filename="${name}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n${'a'.repeat(1000)}\r\n-------${tid}+\r\n`;
    const rude = netConnect(port, '127.0.0.1');
    onTestFinished(() => void rude.destroy());
    await once(rude, 'connect');
    rude.end(chunk('first1', 'one.bin') + chunk('second2', 'two.bin'));
    rude.resume();
    await once(rude, 'close');
    await cli.waitFor(
      'stderr',
      /receiving one\.bin failed[\s\S]*receiving two\.bin failed|receiving two\.bin failed[\s\S]*receiving one\.bin failed/,
    );

    expect(cli.running).toBe(true);
    const sent = await run(onTestFinished, ['send', '--to', uri, '--text', 'still here']);
    expect(sent.code, sent.stderr).toBe(0);
    await cli.waitFor('stdout', /^still here$/m);
    expect(await readdir(out)).toEqual([]);
  });

  it('a peer that resets its connection is reported in plain words', async ({
    expect,
    onTestFinished,
  }) => {
    const { cli, uri } = await listen(onTestFinished, 'reset');
    const peer = netConnect(parseUri(uri).port!, '127.0.0.1');
    onTestFinished(() => void peer.destroy());
    await once(peer, 'connect');
    peer.write(
      `MSRP reset1 SEND\r\nTo-Path: ${uri}\r\nFrom-Path: msrp://127.0.0.1:9/reset;tcp\r\n` +
        `Message-ID: reset1id\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------reset1$\r\n`,
    );
    await cli.waitFor('stdout', /^hi$/m);
    peer.resetAndDestroy();
    await cli.waitFor('stderr', /^msrp listen: disconnected: [^\n]+$/m);
    expect(cli.stderr).toMatch(
      /^msrp listen: disconnected: the peer reset the connection \((read|write) ECONNRESET\)$/m,
    );
  });

  it('a file the listener cannot store is refused (413): send exits 1, not "delivered"', async ({
    expect,
    onTestFinished,
  }) => {
    const out = await dir('unstorable-out');
    const source = join(await dir('unstorable-src'), 'photo.bin');
    await writeFile(source, randomBytes(300_000));
    const { cli, uri } = await listen(onTestFinished, 'unstorable', ['--out', out]);
    // The directory is gone once the listener runs: neither a part nor the file can be made.
    await rm(out, { recursive: true });
    await writeFile(out, '');
    onTestFinished(() => rm(out, { force: true }));
    for (const args of [[], ['--no-resume']]) {
      const sent = await run(onTestFinished, ['send', '--to', uri, '--file', source, ...args]);
      expect(sent.code, sent.stdout).toBe(1);
      expect(sent.stderr).toMatch(/^msrp send: delivery failed: 413 /);
      expect(sent.stdout).not.toMatch(/delivered/);
    }
    await cli.waitFor('stderr', /cannot keep a part of photo\.bin: ENOTDIR/);
    await cli.waitFor('stderr', /(cannot store photo\.bin in \S+, refused: ENOTDIR[\s\S]*){2}/);
    const line = await run(onTestFinished, ['send', '--to', uri, '--text', 'still here']);
    expect(line.code, line.stderr).toBe(0);
    await cli.waitFor('stdout', /^still here$/m);
  });

  it('a file whose announced hash does not match is refused at its last chunk (413), not kept', async ({
    expect,
    onTestFinished,
  }) => {
    // It was saved and confirmed: its sender printed "delivered" while listen printed
    // "HASH MISMATCH". A sender without resume offers (another implementation) sends so.
    const out = await dir('announced-out');
    const { cli, uri } = await listen(onTestFinished, 'announced', ['--out', out]);
    const session = await peerOf(onTestFinished, uri);
    const wrong = `sha-256:${'AB:'.repeat(31)}AB`;
    const sent = session.send(randomBytes(300_000), {
      contentType: 'application/octet-stream',
      contentHeaders: [{ name: 'Content-Disposition', value: 'attachment; filename="x.bin"' }],
      lastChunkHeaders: () => [{ name: 'File-Hash', value: wrong }],
    });
    await expect(sent).rejects.toMatchObject({ status: 413 });
    await cli.waitFor('stderr', /x\.bin: HASH MISMATCH \(.*\): refused, not kept/);
    expect(await readdir(out)).toEqual([]);
  });

  it('a part of another file is refused at its last chunk, never confirmed, and send goes again whole', async ({
    expect,
    onTestFinished,
  }) => {
    // What a broken transfer of another file of the same name, size, type and date leaves.
    const file = randomBytes(300_000);
    const { out, source } = await brokenTransfer('mismatch', 'f.bin', file, randomBytes(100_000));
    const { cli, uri } = await listen(onTestFinished, 'mismatch', ['--out', out]);
    const send = await run(onTestFinished, ['send', '--to', uri, '--file', source, '--json']);
    expect(send.code, send.stderr).toBe(0);
    // Resumed into the stale part, refused by the hash check (413 `Hash mismatch`), then
    // offered again, which the listener (its part dropped) answers from the first byte.
    const events = jsonEvents(send.stdout);
    expect(events).toMatchObject([
      { event: 'resume', offset: 100_000, size: 300_000 },
      { event: 'resume-refused', offset: 100_000, size: 300_000 },
      { event: 'delivered', bytes: 300_000, sha256: sha256(file) },
    ]);
    expect(events[2]).not.toHaveProperty('offset');
    await cli.waitFor('stderr', /f\.bin: HASH MISMATCH over the whole file .*: part dropped/);
    await cli.waitFor('stdout', /^saved \S+ \(300000 bytes, sha-256 \S+, hash matched\)$/m);
    expect((await readFile(join(out, 'f.bin'))).equals(file)).toBe(true);
    expect(await readdir(out)).toEqual(['f.bin']);
  });

  it('file names from peers are sanitized; a broken transfer leaves no file; a busy session is retried', async ({
    expect,
    onTestFinished,
  }) => {
    const out = await dir('names-out');
    const { cli, uri } = await listen(onTestFinished, 'names', ['--out', out]);
    const to = parseUri(uri);
    let sessions = 0;
    /** Connects a library endpoint of its own (an endpoint reuses a closing connection). */
    const connectPeer = async (): Promise<{ endpoint: Endpoint; session: Session }> => {
      const endpoint = new Endpoint();
      onTestFinished(() => endpoint.close());
      const session = endpoint.createSession();
      await session.connect([to]);
      sessions++;
      return { endpoint, session };
    };
    /** Closes a peer and waits until the listener saw it go, so the next one may bind. */
    const leave = async (endpoint: Endpoint): Promise<void> => {
      await endpoint.close();
      await cli.waitFor('stderr', new RegExp(`(disconnected[^\\n]*\\n[\\s\\S]*){${sessions}}`));
    };

    const payload = randomBytes(3000);
    for (const name of ['../../escape.txt', '..\\..\\escape.txt']) {
      const { endpoint, session } = await connectPeer();
      await session.sendFile(Readable.from([payload]), { name, size: payload.length });
      await leave(endpoint);
    }
    await cli.waitFor('stdout', /saved \S+\/escape\.txt [\s\S]*saved \S+\/escape-1\.txt /);
    expect(cli.stdout).toContain(`saved ${join(out, 'escape.txt')} (3000 bytes`);
    expect((await readdir(out)).sort()).toEqual(['escape-1.txt', 'escape.txt']);
    expect((await readFile(join(out, 'escape-1.txt'))).equals(payload)).toBe(true);
    for (const above of [join(out, '..'), join(out, '..', '..')]) {
      expect(await readdir(above)).not.toContain('escape.txt');
    }

    // A sender that goes away in the middle of a file: the partial file is removed.
    const broken = await connectPeer();
    await new Promise<void>((resolve) => {
      const source = new Readable({ read() {} });
      source.push(randomBytes(64 * 1024));
      broken.session
        .sendFile(source, {
          name: 'partial.bin',
          size: 10 * 1024 * 1024,
          onProgress: (p) => p.bytes >= 64 * 1024 && resolve(),
        })
        .catch(() => undefined);
    });
    await leave(broken.endpoint);
    await cli.waitFor('stderr', /^msrp listen: receiving partial\.bin failed after 65536 bytes: /m);
    await expect.poll(() => readdir(out)).toEqual(['escape-1.txt', 'escape.txt']);

    // While one peer holds the session, another gets 506: send retries until it is free.
    const holder = await connectPeer();
    const busy = start(onTestFinished, ['send', '--to', uri, '--text', 'after the wait', '--json']);
    await busy.waitFor('stdout', /"event":"retry","status":506/);
    await holder.endpoint.close();
    expect((await busy.exited).code, busy.stderr).toBe(0);
    await cli.waitFor('stdout', /^after the wait$/m);
  });

  it('TLS: listen on msrps prints the fingerprint; send pins it, a wrong one fails', async ({
    expect,
    onTestFinished,
  }) => {
    const { cli, uri } = await listen(onTestFinished, 'secure', [
      '--tls-cert',
      tls.certPath,
      '--tls-key',
      tls.keyPath,
    ]);
    expect(uri).toMatch(/^msrps:\/\/127\.0\.0\.1:\d+\/secure;tcp$/);
    const [, fingerprint] = await cli.waitFor('stdout', /^fingerprint (SHA-256 [0-9A-F:]{95})$/m);
    expect(fingerprint).toBe(tls.fingerprint);
    const wrong = `SHA-256 ${'00:'.repeat(31)}00`;
    const [good, bad, unverified] = await Promise.all([
      run(onTestFinished, [
        'send',
        '--to',
        uri,
        '--fingerprint',
        fingerprint!,
        '--text',
        'over TLS',
      ]),
      run(onTestFinished, ['send', '--to', uri, '--fingerprint', wrong, '--text', 'nope']),
      run(onTestFinished, ['send', '--to', uri, '--text', 'nope either']),
    ]);
    expect(good.stderr).toBe('');
    expect(good.code, good.stderr).toBe(0);
    await cli.waitFor('stdout', /^over TLS$/m);
    expect(bad.code, bad.stderr).toBe(3);
    expect(bad.stderr).toMatch(/^msrp send: cannot connect to msrps:[^\n]*fingerprint[^\n]*\n$/);
    expect(unverified.code, unverified.stderr).toBe(3);
    expect(unverified.stderr).toMatch(/^msrp send: [^\n]*self[- ]signed[^\n]*\n$/);
    expect(cli.stdout).not.toContain('nope');
  });

  it('chat: lines typed on one side are printed on the other; EOF ends with exit 0', async ({
    expect,
    onTestFinished,
  }) => {
    const a = start(onTestFinished, ['chat', '--listen', '--uri', 'msrp://127.0.0.1:0/chat;tcp']);
    const [, uri] = await a.waitFor('stdout', /^listening (\S+)\n/);
    const b = start(onTestFinished, ['chat', '--to', uri!]);
    await b.waitFor('stderr', /connected to /);
    b.child.stdin!.write('hello from b\n');
    await a.waitFor('stdout', /^< hello from b$/m);
    a.child.stdin!.write('hello from a\nand more\n');
    await b.waitFor('stdout', /^< hello from a\n< and more$/m);
    b.child.stdin!.end();
    expect(await b.exited).toEqual({ code: 0, signal: null });
    await a.waitFor('stderr', /disconnected/);
    a.child.stdin!.end();
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(a.stdout).not.toContain('hello from a');
  });
});

/** msrp URIs with a ";" that are not inside quotes, apart from lines showing output. */
function unquotedUris(help: string): string[] {
  return help
    .split('\n')
    .filter((line) => !/^\s*listening /.test(line))
    .flatMap((line) => line.replace(/'[^']*'|"[^"]*"/g, '').match(/msrps?:\/\/\S*;\S*/g) ?? []);
}

/**
 * The columns where a help's option descriptions start, in all its "... options:" blocks: a
 * flag's line and each continuation line (prose at two spaces and a long flag alone on its
 * line have none). One column when the help is aligned.
 */
function optionColumns(help: string): Set<number> {
  const blocks = help.split(/\n(?:[A-Z][a-z]* )?[Oo]ptions:\n/).slice(1);
  const lines = blocks.flatMap((block) => block.split('\n\n')[0]!.split('\n'));
  return new Set(
    lines
      .filter((line) => /^ {2}-|^ {3}/.test(line) && !/^ {2}-\S+(?: [A-Z]+)?$/.test(line))
      .map((line) => /^(?: {2}-.*? {2,}| +)(?=\S)/.exec(line)![0].length),
  );
}

describe('CLI helpers', () => {
  it("each help lines up its options' descriptions in one column", async ({ expect }) => {
    const { CHAT_HELP } = await import('../src/chat.js');
    const { LISTEN_HELP } = await import('../src/listen.js');
    const { SDP_HELP } = await import('../src/sdp.js');
    const { SEND_HELP } = await import('../src/send.js');
    expect(
      optionColumns(
        'x\nOptions:\n  --a B   x\n        y\n  --long-flag B\n  b\n  -h, --help  z\n\nz',
      ),
    ).toEqual(new Set([10, 8, 14]));
    for (const help of [CHAT_HELP, LISTEN_HELP, SDP_HELP, SEND_HELP]) {
      expect(optionColumns(help).size).toBe(1);
    }
  });

  it('the help texts quote every URI with a ";"', async ({ expect }) => {
    const { CHAT_HELP } = await import('../src/chat.js');
    const { LISTEN_HELP } = await import('../src/listen.js');
    const { SDP_HELP } = await import('../src/sdp.js');
    const { SEND_HELP } = await import('../src/send.js');
    expect(unquotedUris(`msrp://a:1/s;tcp, "msrp://b:1/s;tcp" 'msrp://c:1;tcp'`)).toEqual([
      'msrp://a:1/s;tcp,',
    ]);
    for (const help of [CHAT_HELP, LISTEN_HELP, SDP_HELP, SEND_HELP]) {
      expect(unquotedUris(help)).toEqual([]);
    }
  });

  it('printAbove puts an incoming line above the prompt and redraws the partial input', ({
    expect,
  }) => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    let screen = '';
    const output = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done): void {
          screen += chunk.toString();
          done();
        },
      }),
      { isTTY: true, columns: 80 },
    );
    const rl = createInterface({ input, output, prompt: '> ', terminal: true });
    try {
      rl.prompt();
      input.write('hel');
      expect(rl.line).toBe('hel');
      screen = '';
      printAbove(rl, output, '< hi there');
      // Back to column 0, clear the line, the message, then prompt and typed text again.
      const at = screen.indexOf('< hi there\n');
      expect(at).toBeGreaterThan(0);
      expect(['\r', '\x1b[1G'].some((move) => screen.slice(0, at).includes(move))).toBe(true);
      expect(screen.slice(0, at)).toContain('\x1b[2K');
      expect(screen.slice(at + '< hi there\n'.length)).toContain('> hel');
      // What is typed next continues the same input line.
      input.write('lo\r');
      expect(rl.line).toBe('');
    } finally {
      rl.close();
    }
  });

  it('isKeepalive: heartbeat types and empty bodies, but not an empty file', ({ expect }) => {
    const message = (type: string, body: string): IncomingMessage =>
      Object.assign(
        new IncomingMessage({
          messageId: 'm',
          contentType: parseContentType(type)!,
          contentHeaders: [],
          size: Buffer.byteLength(body),
        }),
        { body: Buffer.from(body) },
      );
    expect(isKeepalive(message('text/x-msrp-heartbeat', 'HEARTBEAT'))).toBe(true);
    expect(isKeepalive(message('TEXT/X-MSRP-HEARTBEAT;charset=utf-8', 'x'))).toBe(true);
    expect(isKeepalive(message('text/plain', ''))).toBe(true);
    expect(isKeepalive(message('text/plain', 'hi'))).toBe(false);
    // An empty file is stored, not dropped: it has a name, or is an attachment.
    const file = (disposition: string): IncomingMessage =>
      new IncomingMessage({
        messageId: 'f',
        contentType: parseContentType('application/octet-stream')!,
        contentHeaders: [{ name: 'Content-Disposition', value: disposition }],
        size: 0,
      });
    expect(isKeepalive(file('attachment; filename="empty.log"'))).toBe(false);
    expect(isKeepalive(file('render; filename="empty.log"'))).toBe(false);
    expect(isKeepalive(file('Attachment'))).toBe(false);
    expect(isKeepalive(file('inline'))).toBe(true);
  });

  it("terminalSafe shows a peer's control characters on a terminal, and leaves pipes alone", ({
    expect,
  }) => {
    // A chat line or a status comment with escape sequences cleared the screen, set the
    // window title, or hid what came before, on the terminal of whoever ran msrp.
    const peer = 'hi\x1b[2J\x1b]0;pwned\x07 cr\rX\x7f\x9b\ttab\nline é';
    expect(terminalSafe(peer, { isTTY: true })).toBe(
      'hi^[[2J^[]0;pwned^G cr^MX^?\\x9b\ttab\nline é',
    );
    expect(terminalSafe(peer, { isTTY: false })).toBe(peer);
    expect(terminalSafe(peer, {})).toBe(peer);
    // What the commands print goes through it: results on stdout, status lines on stderr.
    const written: string[] = [];
    const streams = [process.stdout, process.stderr] as const;
    const saved = streams.map((s) => ({ isTTY: s.isTTY, write: s.write.bind(s) }));
    for (const stream of streams) {
      stream.isTTY = true;
      stream.write = (text: string) => written.push(text) > 0;
    }
    try {
      const out = new Output('msrp listen', false);
      out.result(peer, {});
      out.status(`peer says ${peer}`, {});
    } finally {
      streams.forEach((stream, k) => {
        stream.isTTY = saved[k]!.isTTY;
        stream.write = saved[k]!.write;
      });
    }
    expect([...written.join('')].filter((c) => '\x1b\x07\r'.includes(c))).toEqual([]);
  });

  it('safeFileName keeps only a harmless base name', ({ expect }) => {
    expect(safeFileName('../../etc/passwd', 'x')).toBe('passwd');
    expect(safeFileName('C:\\Windows\\evil.exe', 'x')).toBe('evil.exe');
    expect(safeFileName('..', 'fallback')).toBe('fallback');
    expect(safeFileName('.bashrc', 'x')).toBe('bashrc');
    expect(safeFileName('a\u0000b\nc.txt', 'x')).toBe('a_b_c.txt');
    expect(safeFileName(undefined, 'fallback.bin')).toBe('fallback.bin');
    expect(Buffer.byteLength(safeFileName(`${'é'.repeat(300)}.txt`, 'x'))).toBeLessThanOrEqual(200);
    expect(safeFileName(`${'é'.repeat(300)}.txt`, 'x')).toMatch(/é\.txt$/);
    // A name as long as a peer's 16 KiB head allows, and longer: cut one character at a time,
    // joined again after each, it took the listener seconds per name (4 at 16 000, ~30 at 64 KiB).
    const started = performance.now();
    const cut = safeFileName(`${'é'.repeat(32 * 1024)}.txt`, 'x');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(cut).toBe(`${'é'.repeat(98)}.txt`);
  });

  it('renderProgress shows bytes, percent, rate and ETA within the width', ({ expect }) => {
    const line = renderProgress(
      { bytes: 2.5 * 1024 * 1024, total: 5 * 1024 * 1024, rate: 1.31e6 },
      100,
    );
    expect(line).toMatch(/^\[=+> +\] 2\.50 MiB \/ 5\.00 MiB {2} 50% {2}1\.31 MB\/s {2}ETA 0:02$/);
    expect(line.length).toBeLessThanOrEqual(100);
    const narrow = renderProgress({ bytes: 1024, total: 4096, rate: 100 }, 30);
    expect(narrow.length).toBeLessThanOrEqual(30);
    expect(narrow).toContain('1.00 KiB / 4.00 KiB');
    expect(renderProgress({ bytes: 10, total: 10, rate: 5 }, 80)).toMatch(/^\[=+\] .*100%/);
  });
});
