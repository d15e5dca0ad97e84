// msrp listen killed at any moment while it makes, replaces or discards a part (NAME.part and
// its record NAME.part.json) never leaves the name unusable: what is left is still its own
// part, so the next offer of NAME resumes or replaces it. A part without its record is no
// part of ours (a user's file), and a kill between the part and its record left just that:
// the file under that name was never resumable again (the resume-cut test failed so in CI).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';
import { PartStore } from '../src/part-store.js';
import { root } from './cli-process.js';
import { tempDir } from '../../msrp-core/test/helpers/temp-dir.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const KILLS = 12;

/** Runs `script` on `dir` and SIGKILLs it at a random moment of its loop. */
async function killedAtRandom(script: string, dir: string): Promise<void> {
  // node itself (not the tsx wrapper, whose child would outlive a SIGKILL).
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script, dir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => void child.kill('SIGKILL'));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await once(createInterface({ input: child.stdout }), 'line');
  // A random moment of the loop: not a wait for an event, the point of the cut.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

it(`leaves its own part, whatever the moment it is killed (${KILLS} kills)`, async () => {
  const dir = await tempDir('msrp-part-kill-');
  const left: string[][] = [];
  for (let i = 0; i < KILLS; i++) {
    await killedAtRandom(fixture('part-churn.ts'), dir);
    left.push((await readdir(dir)).sort());
    const part = await new PartStore(dir).prepare('f.bin', {
      transferId: 'next',
      name: 'f.bin',
      size: 1000,
      modified: 'Mon, 30 Nov 2026 00:00:00 +0000',
    });
    expect(part, `left after kill ${i + 1}: ${JSON.stringify(left)}`).toBeDefined();
  }
}, 60_000);

it.each([
  ['parts complete', 'part-complete-churn.ts'],
  ['whole files are stored', 'whole-file-churn.ts'],
])(
  `never leaves an empty or partial file under a final name (${KILLS} kills as %s)`,
  async (_, script) => {
    // It reserved the final name (an empty file) before it moved the part there: killed in
    // between, the name held an empty file, which the README promises never happens.
    const dir = await tempDir('msrp-part-kill-');
    for (let i = 0; i < KILLS; i++) {
      await killedAtRandom(fixture(script), dir);
      const names = await readdir(dir);
      const finals = names.filter((name) => !/\.part(\.json(\.\d+\.tmp)?)?$/.test(name));
      for (const name of finals) {
        expect((await stat(join(dir, name))).size, `${name} after kill ${i + 1}`).toBe(16);
      }
    }
  },
  60_000,
);
