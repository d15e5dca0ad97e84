// `msrp listen --out`: the directory is made, or the command says why not, at once.
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { makeDirectory } from '../src/files.js';
import { start } from './cli-process.js';
import { tempDir } from '../../msrp-core/test/helpers/temp-dir.js';

describe('makeDirectory', () => {
  it('makes the missing parents too', async () => {
    const dir = join(await tempDir('msrp-out-'), 'a', 'b', 'c');
    await makeDirectory(dir);
    expect((await stat(dir)).isDirectory()).toBe(true);
    // A second time is no error.
    await makeDirectory(dir);
  });

  it('says a file is not a directory', async () => {
    const file = join(await tempDir('msrp-out-'), 'file');
    await writeFile(file, 'x');
    await expect(makeDirectory(file)).rejects.toThrow('not a directory');
  });

  // Node 20's recursive mkdir retries ENOENT for ever under /proc: this used to hang.
  it('fails where the system will not make it, under a parent that exists', async () => {
    await expect(makeDirectory('/proc/msrp-test/x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('msrp listen --out', () => {
  it('exits 2 with the reason when the directory cannot be made', async () => {
    const cli = start(onTestFinished, [
      'listen',
      '--uri',
      'msrp://127.0.0.1:0/s;tcp',
      '--out',
      '/proc/msrp-test',
    ]);
    expect(await cli.exited).toEqual({ code: 2, signal: null });
    expect(cli.stderr).toMatch(/--out: cannot create \/proc\/msrp-test: ENOENT/);
    expect(cli.stdout).toBe('');
  });
});
