// `msrp listen` keeps a file NAME in NAME.part and NAME.part.json while it arrives (resume):
// files of those names that are not its own part (a file received earlier as "report.part", a
// user's own) are left alone, and NAME then comes whole, as any other file.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { start, type Cli } from './cli-process.js';
import { tempDir } from '../../msrp-core/test/helpers/temp-dir.js';

async function listen(out: string): Promise<{ cli: Cli; uri: string }> {
  const cli = start(onTestFinished, [
    'listen',
    '--uri',
    'msrp://127.0.0.1:0/parts;tcp',
    '--out',
    out,
  ]);
  const [, uri] = await cli.waitFor('stdout', /^listening (\S+)\n/, 20_000);
  return { cli, uri: uri! };
}

async function send(uri: string, file: string): Promise<{ code: number | null; stderr: string }> {
  const cli = start(onTestFinished, ['send', '--to', uri, '--file', file]);
  const { code } = await cli.exited;
  return { code, stderr: cli.stderr };
}

describe('msrp listen never overwrites an existing file', () => {
  // listen --help: "an existing file is never overwritten: name-1.ext, name-2.ext...".
  // A file received earlier as "report.part" must survive another sender's "report".
  it('keeps a previously received file named NAME.part when NAME is sent next', async () => {
    const out = await tempDir('msrp-part-names-');
    const src = await tempDir('msrp-part-names-');
    const { cli, uri } = await listen(out);
    await writeFile(join(src, 'report.part'), 'precious bytes received earlier\n');
    await writeFile(join(src, 'report'), 'another file\n');

    expect((await send(uri, join(src, 'report.part'))).code).toBe(0);
    // The listener renames a file into place after the sender's last 200: wait for it.
    await cli.waitFor('stdout', /^saved \S+\/report\.part \(/m);
    expect((await send(uri, join(src, 'report'))).code).toBe(0);
    await cli.waitFor('stdout', /^saved \S+\/report \(/m);

    // Still there, with its bytes: it was never this listener's partial file.
    expect(await readFile(join(out, 'report.part'), 'utf8')).toBe(
      'precious bytes received earlier\n',
    );
    expect(await readFile(join(out, 'report'), 'utf8')).toBe('another file\n');
    expect((await readdir(out)).sort()).toEqual(['report', 'report.part']);
    // And the listener says why the file could not be resumed.
    await cli.waitFor(
      'stderr',
      /^msrp listen: report comes whole, not resumable: report\.part or report\.part\.json in --out is not a part of ours \(left alone\)$/m,
    );
  }, 40_000);

  // Same promise, for a user's own file lying in --out.
  it("keeps a user's own NAME.part.json in --out when NAME is sent", async () => {
    const out = await tempDir('msrp-part-names-');
    const src = await tempDir('msrp-part-names-');
    await writeFile(join(out, 'data.part.json'), '{"mine":true}\n');
    await writeFile(join(src, 'data'), 'payload\n');
    const { cli, uri } = await listen(out);

    expect((await send(uri, join(src, 'data'))).code).toBe(0);
    await cli.waitFor('stdout', /^saved \S+\/data \(/m);
    expect(await readFile(join(out, 'data'), 'utf8')).toBe('payload\n');
    expect(await readFile(join(out, 'data.part.json'), 'utf8')).toBe('{"mine":true}\n');
    expect((await readdir(out)).sort()).toEqual(['data', 'data.part.json']);
    await cli.waitFor('stderr', /^msrp listen: data comes whole, not resumable/m);
  }, 40_000);
});
