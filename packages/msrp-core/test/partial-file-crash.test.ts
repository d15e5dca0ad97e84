// A partial file killed between its own steps: PartialFile writes a new part's record before
// the part, so what a crash there leaves (a record without its part) opens again as an empty
// part. The other order left a part without a record, which is no part of ours: msrp listen
// left that name alone, and a file under it was never resumable again (the resume-cut test
// failed so in CI, its receiver killed as it made the part: seed 505229905). A record being
// written when the process died leaves its temporary file, removed once the part is done.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PartialFile } from '../src/index.js';
import { cleanups } from './helpers/cleanups.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { tempDir } from './helpers/temp-dir.js';

it('a record of no octets without its part opens as an empty part, which a receive then makes', async () => {
  const dir = await tempDir('msrp-partial-crash-');
  const path = join(dir, 'f.bin');
  await writeFile(`${path}.part.json`, JSON.stringify({ transferId: 't', size: 4, received: [] }));
  const partial = await PartialFile.load(path);
  expect(partial?.held).toBe(0);
  const reopened = await PartialFile.open(path, { size: 4 });
  expect(reopened.missing).toEqual({ start: 1, end: 4 });

  const { a, b } = await sessionPair(cleanups, { receiver: { inMemoryThreshold: 1 } });
  const content = randomBytes(4);
  const sent = a.send(content);
  await expect(reopened.receive(await next(b[Symbol.asyncIterator]()))).resolves.toMatchObject({
    bytes: 4,
    held: 4,
  });
  await sent;
  expect(await readFile(`${path}.part`)).toEqual(content);

  // A record that claims octets still needs them.
  await writeFile(
    join(dir, 'g.bin.part.json'),
    JSON.stringify({ transferId: 't', size: 4, received: [{ start: 1, end: 2 }] }),
  );
  await expect(PartialFile.load(join(dir, 'g.bin'))).rejects.toMatchObject({
    code: 'MSRP_ERR_FILE',
  });
});

it('open writes the record before the part: failing at the record, it leaves no part', async () => {
  const dir = await tempDir('msrp-partial-crash-');
  const path = join(dir, 'f.bin');
  // A directory where the record's temporary file goes: writing the record fails there, as a
  // crash would stop it.
  const temporary = `f.bin.part.json.${process.pid}.tmp`;
  await mkdir(join(dir, temporary));
  await expect(PartialFile.open(path, { size: 10 })).rejects.toThrow();
  expect(await readdir(dir)).toEqual([temporary]);
});

it('complete and discard remove the temporary records a writer killed mid-write left, and only those', async () => {
  const dir = await tempDir('msrp-partial-crash-');
  const stale = ['f.bin.part.json.4242.tmp', 'g.bin.part.json.77.tmp'];
  const others = ['f.bin.part.json.x.tmp', 'f.bin.part.json.4242.tmp.bak', 'h.bin.part.json.5.tmp'];
  for (const name of [...stale, ...others]) await writeFile(join(dir, name), '{');
  const f = await PartialFile.open(join(dir, 'f.bin'), { size: 0 });
  await f.complete();
  const g = await PartialFile.open(join(dir, 'g.bin'), { size: 3 });
  await g.discard();
  expect((await readdir(dir)).sort()).toEqual(['f.bin', ...others].sort());
});

it('complete({ replace: false }) keeps a file already there (EEXIST, the part stays) and moves the part to a free name', async () => {
  const dir = await tempDir('msrp-partial-crash-');
  const path = join(dir, 'f.bin');
  await writeFile(path, 'theirs');
  const partial = await PartialFile.open(path, { size: 4 });
  await writeFile(partial.partPath, 'ours');
  const whole = (await PartialFile.load(path))!;
  await expect(whole.complete(path, { replace: false })).rejects.toMatchObject({ code: 'EEXIST' });
  expect(await readFile(path, 'utf8')).toBe('theirs');
  expect((await readdir(dir)).sort()).toEqual(['f.bin', 'f.bin.part', 'f.bin.part.json']);
  await expect(whole.complete(join(dir, 'f-1.bin'), { replace: false })).resolves.toMatchObject({
    path: join(dir, 'f-1.bin'),
  });
  expect(await readFile(join(dir, 'f-1.bin'), 'utf8')).toBe('ours');
  expect((await readdir(dir)).sort()).toEqual(['f-1.bin', 'f.bin']);
});
