// mime-types and fast-xml-parser, required on first use, load after a stat of a pipe too: the
// plain fstat that a program does of its standard input leaves Node's CommonJS loader keeping
// symlinks' paths (nodejs/node#51142), and mime-types loaded from pnpm's symlink could not find
// mime-db ("Cannot find module 'mime-db'"). In a process of its own, standard input a pipe
// (Node's child "pipes" are socket pairs, which mislead the loader as pipes do), without the
// NODE_PATH of pnpm's vitest shim (every package hoisted), which hid it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./fixtures/lazy-require/probe.js', import.meta.url));

it('loads mime-types and fast-xml-parser after a stat of a pipe', async () => {
  const env = { ...process.env };
  delete env.NODE_PATH;
  const { stdout } = await promisify(execFile)(process.execPath, [probe], {
    env,
    timeout: 20_000,
  });
  expect(JSON.parse(stdout)).toEqual({ type: 'text/plain', xml: 'function' });
}, 30_000);
