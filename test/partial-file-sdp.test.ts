// Issue 12: msrp-core's PartialFile record is sdp-msrp's PartialFileRecord, so a receiver
// that holds part of a file writes the RFC 5547 §6 resume offer straight from it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartialFile } from '@msrp-ts/msrp-core';
import { resumeOffer, resumeRange } from '@msrp-ts/sdp-msrp';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('PartialFile record and sdp-msrp resume', () => {
  it('resumeOffer and resumeRange take partial.record as it is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-partial-sdp-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'photo.jpg');
    const hash = 'sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E';
    const opened = await PartialFile.open(path, {
      size: 1000,
      hash,
      transferId: 'tid-1',
      type: 'image/jpeg',
    });
    await writeFile(opened.partPath, new Uint8Array(400));
    const partial = (await PartialFile.load(path))!;
    const { record } = partial;
    expect(resumeRange(record)).toEqual({ start: 401, stop: 1000 });
    if (!record.hash) throw new Error('the record has the hash it was opened with');
    expect(resumeOffer(record, 'pull')).toEqual({
      mode: 'pull',
      selector: {
        name: 'photo.jpg',
        type: 'image/jpeg',
        size: 1000,
        hash: { algorithm: 'sha-1', value: hash.slice('sha-1:'.length) },
      },
      range: { start: 401, stop: 1000 },
      resumes: 'tid-1',
    });
  });
});
