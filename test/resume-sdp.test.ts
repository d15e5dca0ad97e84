// `msrp sdp resume` and `msrp sdp answer --file`: the SIP way to resume a file transfer
// (RFC 5547 §8.3.2). The side holding a partial file offers to pull the rest (same hash, new
// a=file-transfer-id, a=file-range from its first missing octet); the side holding the file
// answers, repeating the range; negotiate() on both says where the octets go.
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOffer, negotiate, parseMsrpMedia, parseSdp } from '@msrp-ts/sdp-msrp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msrp } from './helpers/msrp-cli.js';

const SIZE = 100_000;
const HELD = 37_000;
let dir: string;
let file: string;
let part: string;
let original: string;
let sha256: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-resume-sdp-'));
  const bytes = randomBytes(SIZE);
  file = join(dir, 'photo.jpg');
  part = join(dir, 'photo.jpg.part');
  await writeFile(file, bytes);
  await writeFile(part, bytes.subarray(0, HELD));
  sha256 = createHash('sha256')
    .update(bytes)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
  // The offer that began the interrupted transfer: Alice pushes the file to Bob.
  original = createOffer({
    localUri: 'msrp://192.0.2.1:7654/alice1;tcp',
    acceptTypes: ['*'],
    file: {
      mode: 'push',
      selector: {
        name: 'photo.jpg',
        type: 'image/jpeg',
        size: SIZE,
        hash: { algorithm: 'sha-256', value: sha256 },
      },
    },
  });
  await writeFile(join(dir, 'original.sdp'), original);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Bob's `msrp sdp resume` of original.sdp, `held` naming what he holds (--part or --held). */
function resumeOffer(held: readonly string[]): ReturnType<typeof msrp> {
  return msrp([
    'sdp',
    'resume',
    '--uri',
    'msrp://192.0.2.7:2855/bob2;tcp',
    ...held,
    join(dir, 'original.sdp'),
  ]);
}

/** Alice's `msrp sdp answer --file holder` to `offer`, saved first as `name` in the test dir. */
async function answerWith(holder: string, offer: string, name: string): ReturnType<typeof msrp> {
  await writeFile(join(dir, name), offer);
  return msrp([
    'sdp',
    'answer',
    '--uri',
    'msrp://192.0.2.1:7654/alice2;tcp',
    '--file',
    holder,
    join(dir, name),
  ]);
}

describe('msrp sdp resume', () => {
  it('offers to pull the missing range of the same file, and the file holder answers it', async () => {
    const offer = await resumeOffer(['--part', part]);
    expect(offer.stderr).toBe('');
    expect(offer.code).toBe(0);
    const offered = parseMsrpMedia(parseSdp(offer.stdout))[0]!;
    const before = parseMsrpMedia(parseSdp(original))[0]!;
    expect(offered.direction).toBe('recvonly');
    expect(offered.file?.selector.hash?.value).toBe(sha256);
    expect(offered.file?.selector.size).toBe(SIZE);
    expect(offered.file?.range).toEqual({ start: HELD + 1, stop: SIZE });
    // RFC 5547 §8.3.2: a new file-transfer-id.
    expect(offered.file?.transferId).toBeDefined();
    expect(offered.file?.transferId).not.toBe(before.file?.transferId);

    const answer = await answerWith(file, offer.stdout, 'resume.sdp');
    expect(answer.stderr).toBe('');
    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain(`a=file-range:${HELD + 1}-${SIZE}`);
    const n = negotiate(offer.stdout, answer.stdout);
    expect(n.accepted).toBe(true);
    if (!n.accepted) return;
    expect(n.file).toMatchObject({ mode: 'pull', sender: 'answerer', resume: true, offset: HELD });
    expect(n.file?.expectedHash?.toUpperCase()).toBe(`SHA-256:${sha256}`);
  });

  it("the file holder serves the same file (by hash) under another name, with the offer's type", async () => {
    // A holder's copy named so that its extension says another type than the offer's.
    const copy = join(dir, 'photo-copy.bin');
    await copyFile(file, copy);
    const offer = await resumeOffer(['--held', String(HELD)]);
    expect(offer.code).toBe(0);
    const answer = await answerWith(copy, offer.stdout, 'resume-copy.sdp');
    expect(answer.stderr).toBe('');
    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain(`a=file-range:${HELD + 1}-${SIZE}`);
    expect(answer.stdout).toContain('type:image/jpeg');
  });

  it('the file holder refuses a resume of another file (hash differs)', async () => {
    const other = join(dir, 'other.jpg');
    await writeFile(other, randomBytes(SIZE));
    const offer = await resumeOffer(['--held', String(HELD)]);
    expect(offer.code).toBe(0);
    const answer = await answerWith(other, offer.stdout, 'resume2.sdp');
    expect(answer.code).toBe(1);
    expect(answer.stderr).toMatch(/no file that matches/);
  });

  it('refuses a --part that is no regular file (a directory): one line, exit 2, no offer', async () => {
    // A directory's st_size (4096) must not become "we hold 4096 octets" in a resume offer.
    const r = await resumeOffer(['--part', dir]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    expect(r.stderr).toBe(
      `msrp sdp: --part: cannot read ${dir}: not a regular file (see msrp sdp --help)\n`,
    );
  }, 30_000);

  it('needs a hash in the original offer to name the file', async () => {
    const noHash = createOffer({
      localUri: 'msrp://192.0.2.1:7654/alice1;tcp',
      acceptTypes: ['*'],
      file: { mode: 'push', selector: { name: 'photo.jpg', size: SIZE } },
    });
    await writeFile(join(dir, 'nohash.sdp'), noHash);
    const r = await msrp([
      'sdp',
      'resume',
      '--uri',
      'msrp://192.0.2.7:2855/bob2;tcp',
      '--held',
      '5',
      join(dir, 'nohash.sdp'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no file with a hash/);
  });
});
