// Issue 9 §1: the core runs unchanged in a browser. ESLint forbids Node modules and globals
// outside node/; this checks the browser entry and every runtime-neutral folder, with their
// whole import graph, against the browser's globals only (node/ holds what needs Node).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('./core-browser.tsconfig.json', import.meta.url));

it('everything but node/ type-checks with DOM globals and without @types/node', async () => {
  const run = promisify(execFile)(process.execPath, [tsc, '-p', project]);
  await expect(run).resolves.toMatchObject({ stdout: '' });
}, 60_000);
