// Issue 12's cut test, 64 MiB: `msrp send --file` → a tapping proxy → `msrp listen` (real
// processes on loopback), cut by killing the sender, killing the receiver and dropping the
// connection, each at a random point, and resumed by running the same send again. On the
// wire, each resume sends only the range the listener misses, no octet a 200 confirmed
// travels twice, and the stored file is the source's, byte for byte.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeProcess } from '../bench/lib/cli-process.js';
import { random, runCuts, type CutKind } from '../bench/lib/resume-cut.js';

const SIZE = 64 * 1024 * 1024;
const entry = 'packages/msrp-cli/src/msrp.ts';

/** `msrp ARGS` on the TypeScript sources, in one process (tsx as a loader, not its CLI's child). */
const msrp = (args: readonly string[]): NodeProcess =>
  new NodeProcess(['--conditions=source', '--import', 'tsx', entry, ...args], `msrp-${args[0]}`);

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= 1024 * 1024) {
    if (!out.write(randomBytes(Math.min(left, 1024 * 1024)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('msrp send --file resumes after cuts', () => {
  it('64 MiB cut by killing the sender, the receiver and the connection: only missing bytes travel', async () => {
    dir = await mkdtemp(join(tmpdir(), 'msrp-resume-cut-'));
    const file = join(dir, 'payload.bin');
    await writeRandomFile(file, SIZE);
    const seed = Number(process.env.RESUME_CUT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    // One cut of each kind, in a random order.
    const rand = random(seed);
    const kinds: CutKind[] = ['sender', 'receiver', 'connection'];
    kinds.sort(() => rand() - 0.5);
    const lines: string[] = [];
    const result = await runCuts({
      file,
      size: SIZE,
      outDir: join(dir, 'out'),
      cuts: kinds.length,
      kinds,
      seed,
      msrp,
      timeoutMs: 20_000,
      log: (line) => lines.push(line),
    });
    const context = `seed ${seed} (RESUME_CUT_SEED replays it)\n${lines.join('\n')}\n${JSON.stringify(result.attempts)}`;
    expect(result.attempts.length, context).toBe(kinds.length + 1);
    for (const [i, attempt] of result.attempts.entries()) {
      expect(attempt.resentConfirmed, context).toBe(0);
      expect(attempt.beyondMissing, context).toBe(0);
      // Every resume started past the first octet: the part was kept and used.
      if (i > 0) expect(attempt.askedFrom, context).toBeGreaterThan(1);
    }
    expect(result.attempts.at(-1)!.exitCode, context).toBe(0);
    expect(result.hashMatches, context).toBe(true);
  }, 90_000);

  it('a file under inMemoryThreshold, its receiver killed mid-file: no confirmed octet travels again', async () => {
    // Held in memory, such a message was confirmed as it arrived, before msrp listen stored
    // it: killed then, the listener asked again for octets the sender saw confirmed.
    dir = await mkdtemp(join(tmpdir(), 'msrp-resume-cut-'));
    const size = 768 * 1024;
    const file = join(dir, 'small.bin');
    await writeRandomFile(file, size);
    const seed = Number(process.env.RESUME_CUT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const lines: string[] = [];
    const result = await runCuts({
      file,
      size,
      outDir: join(dir, 'out'),
      cuts: 2,
      kinds: ['receiver'],
      seed,
      msrp,
      timeoutMs: 20_000,
      log: (line) => lines.push(line),
    });
    const context = `seed ${seed} (RESUME_CUT_SEED replays it)\n${lines.join('\n')}\n${JSON.stringify(result.attempts)}`;
    expect(result.attempts.length, context).toBe(3);
    for (const attempt of result.attempts) {
      expect(attempt.resentConfirmed, context).toBe(0);
      expect(attempt.beyondMissing, context).toBe(0);
    }
    expect(result.attempts.at(-1)!.exitCode, context).toBe(0);
    expect(result.hashMatches, context).toBe(true);
  }, 90_000);
});
