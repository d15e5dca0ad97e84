// `msrp listen --relay` answers every sender's resume offer, not only the first sender's: all
// senders reach it over its one connection to the relay, and the answer goes to the offer's
// From-Path. (It went to the first sender, gone by then: the second waited 3 s for an answer
// and sent the whole file again.) A part of another file is refused through the relay as
// directly, and the file goes again whole.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type onTestFinished } from 'vitest';
import { jsonEvents, start, type Cli } from '../packages/msrp-cli/test/cli-process.js';
import { cliRelay } from './helpers/cli-relay.js';
import { PartStore } from '../packages/msrp-cli/src/part-store.js';

const SIZE = 300_000;
const HELD = 100_000;
/** The file's modification time, as the sender's offer writes it (RFC 5322, seconds). */
const MODIFIED = new Date('2026-11-30T02:30:16Z');

/**
 * A relay, a file doc.bin of `bytes` dated MODIFIED, in bob's directory the part of a file
 * of that name, size and date (as a cut transfer leaves it) holding `held`, bob listening
 * through the relay, and `send` to start `msrp send` from alice to him with more flags.
 */
async function fileAndPart(
  finished: typeof onTestFinished,
  bytes: Buffer,
  held: Buffer,
): Promise<{ bob: Cli; file: string; send: (...flags: string[]) => Cli }> {
  const { account } = await cliRelay(finished);
  const dir = await mkdtemp(join(tmpdir(), 'msrp-relay-resume-'));
  finished(() => rm(dir, { recursive: true, force: true }));
  const inDir = join(dir, 'in');
  await mkdir(inDir);
  const file = join(dir, 'doc.bin');
  await writeFile(file, bytes);
  await utimes(file, MODIFIED, MODIFIED);
  const part = await new PartStore(inDir).prepare('doc.bin', {
    transferId: 'an-earlier-transfer',
    name: 'doc.bin',
    size: bytes.length,
    modified: MODIFIED.toUTCString().replace(/GMT$/, '+0000'),
  });
  await writeFile((await part!.open()).partPath, held);
  const bob = start(finished, ['listen', ...account('bob'), '--out', inDir]);
  const [, path] = await bob.waitFor('stdout', /^listening (.+)\n/);
  const send = (...flags: string[]): Cli =>
    start(finished, ['send', ...account('alice'), '--to', path!, ...flags]);
  return { bob, file, send };
}

describe('msrp listen --relay and a second sender', () => {
  it("resumes the second sender's file from the part the listener holds", async ({
    expect,
    onTestFinished,
  }) => {
    const bytes = Buffer.alloc(SIZE);
    for (let i = 0; i < SIZE; i++) bytes[i] = (i * 7) & 0xff;
    const { bob, file, send } = await fileAndPart(onTestFinished, bytes, bytes.subarray(0, HELD));
    // A first sender: the listener's session is bound to it.
    const first = send('--text', 'hi');
    expect((await first.exited).code).toBe(0);
    await bob.waitFor('stdout', /^hi$/m);

    const second = send('--file', file);
    expect(await second.exited, second.stderr).toEqual({ code: 0, signal: null });
    expect(second.stdout).toMatch(
      new RegExp(
        `delivered doc\\.bin: ${SIZE} bytes .*\\(resumed at byte ${HELD + 1}: ${SIZE - HELD} sent\\)`,
      ),
    );
    await bob.waitFor(
      'stdout',
      new RegExp(
        `saved .*doc\\.bin \\(${SIZE} bytes, .*hash matched, resumed at byte ${HELD + 1}\\)`,
      ),
    );
  });

  it('through the relay too, a part of another file is refused and the file goes again whole', async ({
    expect,
    onTestFinished,
  }) => {
    // The part is of another file of the same name, size and date.
    const parts = await fileAndPart(onTestFinished, Buffer.alloc(SIZE, 7), Buffer.alloc(HELD, 9));
    const { bob } = parts;
    const send = parts.send('--file', parts.file, '--json');
    expect(await send.exited, send.stderr).toEqual({ code: 0, signal: null });
    // The relay answered the chunks itself; the listener's 413 came back as a failure REPORT
    // of the resumed try, which must not fail the whole send that followed it.
    const events = jsonEvents(send.stdout);
    expect(events.map((e) => e.event)).toEqual(['resume', 'resume-refused', 'delivered']);
    expect(events[2]!.offset).toBeUndefined();
    await bob.waitFor('stderr', /doc\.bin: HASH MISMATCH over the whole file .*: part dropped/);
    await bob.waitFor(
      'stdout',
      new RegExp(`saved .*doc\\.bin \\(${SIZE} bytes, .*hash matched\\)$`, 'm'),
    );
  });
});
