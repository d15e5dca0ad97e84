// `msrp listen --incomplete-timeout`: a file whose sender stops sending while its connection
// stays up (its relay node died between two chunks) is given up after the timeout: listen says
// so, keeps NAME.part and its record, goes on listening, and a later `msrp send --file` of the
// same file resumes it. A real listen process; the stalling sender is an msrp-core session
// whose file source stops yielding.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { Endpoint, parseUri } from '@msrp-ts/msrp-core';
import { negotiateResume } from '../src/resume-send.js';
import { start } from './cli-process.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** `msrp listen --json` into `out` with `--incomplete-timeout ms`, its line and URI. */
async function listening(
  onTestFinished: Parameters<typeof start>[0],
  out: string,
  ms: number,
): Promise<{ cli: ReturnType<typeof start>; line: string; to: ReturnType<typeof parseUri> }> {
  const cli = start(onTestFinished, [
    ...['listen', '--uri', 'msrp://127.0.0.1:0/incomplete;tcp', '--out', out],
    ...['--incomplete-timeout', String(ms), '--json'],
  ]);
  const [line] = await cli.waitFor('stdout', /^\{"event":"listening".*\n/m);
  return { cli, line, to: parseUri((JSON.parse(line) as { uri: string }).uri) };
}

it('listen gives up a file that stops arriving, keeps its part, and a resume completes it', async ({
  onTestFinished,
}) => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-incomplete-'));
  const out = join(dir, 'out');
  const file = join(dir, 'stalled.bin');
  const data = randomBytes(256 * 1024);
  await writeFile(file, data);
  const { cli, line, to } = await listening(onTestFinished, out, 500);

  // The sender offers the file, then sends its first 64 KiB and nothing more: its
  // connection stays up, as when the sender's relay node dies between two chunks.
  const endpoint = new Endpoint();
  onTestFinished(() => endpoint.close());
  const session = endpoint.createSession();
  await session.connect([to]);
  const modified = (await stat(file)).mtime;
  const offset = await negotiateResume(session, {
    name: 'stalled.bin',
    size: data.length,
    modified,
  });
  expect(offset).toBe(0);
  const source = new Readable({ read() {} });
  source.push(data.subarray(0, 64 * 1024));
  const sent = session.sendFile(source, { name: 'stalled.bin', size: data.length });
  sent.catch(() => undefined);

  const [reported] = await cli.waitFor(
    'stdout',
    /^\{"event":"error".*"code":"MSRP_ERR_INCOMPLETE".*\n/m,
  );
  const event = JSON.parse(reported) as {
    name: string;
    held: number;
    size: number;
    message: string;
  };
  expect(event).toMatchObject({ name: 'stalled.bin', size: data.length });
  expect(event.held).toBeGreaterThan(0);
  expect(event.held).toBeLessThanOrEqual(64 * 1024);
  expect(event.message).toMatch(/no data for \d+ ms; kept \S+stalled\.bin\.part/);
  expect(cli.stderr).toMatch(/^msrp listen: receiving stalled\.bin stopped: no data for/m);
  expect(cli.running).toBe(true);
  // The part holds what was confirmed; its record is intact.
  const names = await readdir(out);
  expect(names.sort()).toEqual(['stalled.bin.part', 'stalled.bin.part.json']);
  const part = await readFile(join(out, 'stalled.bin.part'));
  expect(part.length).toBe(event.held);
  expect(part.equals(data.subarray(0, event.held))).toBe(true);

  // The stalled sender goes away; `msrp send --file` of the same file resumes where it broke.
  await endpoint.close();
  await cli.waitFor('stdout', /"event":"disconnected"/);
  const send = start(onTestFinished, [
    'send',
    '--to',
    (JSON.parse(line) as { uri: string }).uri,
    '--file',
    file,
  ]);
  expect((await send.exited).code, send.stderr).toBe(0);
  await cli.waitFor('stdout', /"event":"file".*\n/);
  const saved = await readFile(join(out, 'stalled.bin'));
  expect(createHash('sha256').update(saved).digest('hex')).toBe(
    createHash('sha256').update(data).digest('hex'),
  );
  expect(cli.stdout).toMatch(new RegExp(`"event":"file"[^\\n]*"offset":${event.held}`));
  expect(await readdir(out)).toEqual(['stalled.bin']);
});

it('listen goes on with a file whose stalled sender comes back after the timeout', async ({
  onTestFinished,
}) => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-incomplete-'));
  const out = join(dir, 'out');
  const data = randomBytes(256 * 1024);
  const { cli, to } = await listening(onTestFinished, out, 300);
  const endpoint = new Endpoint();
  onTestFinished(() => endpoint.close());
  const session = endpoint.createSession();
  await session.connect([to]);
  const modified = new Date('2026-01-02T03:04:05Z');
  expect(await negotiateResume(session, { name: 'late.bin', size: data.length, modified })).toBe(0);
  const source = new Readable({ read() {} });
  source.push(data.subarray(0, 64 * 1024));
  const sent = session.sendFile(source, { name: 'late.bin', size: data.length });

  // Given up after 300 ms without data; then the sender goes on with the message's next chunk
  // (a new message for the listener, at its Byte-Range): it was refused with 413.
  const [reported] = await cli.waitFor('stdout', /^\{"event":"error".*MSRP_ERR_INCOMPLETE.*\n/m);
  expect((JSON.parse(reported) as { held: number }).held).toBe(64 * 1024);
  source.push(data.subarray(64 * 1024));
  source.push(null);
  expect((await sent).bytes).toBe(data.length);
  const [saved] = await cli.waitFor('stdout', /^\{"event":"file".*\n/m);
  expect(JSON.parse(saved)).toMatchObject({ offset: 64 * 1024, hashMatches: true });
  const file = await readFile(join(out, 'late.bin'));
  expect(file.equals(data)).toBe(true);
  expect(await readdir(out)).toEqual(['late.bin']);
});
