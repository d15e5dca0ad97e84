// The pieces of CLI resume: the offer/answer bodies and the listener's partial files.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  formatFileAnswer,
  formatFileOffer,
  parseFileAnswer,
  parseFileOffer,
  type FileOfferBody,
} from '../src/file-offer.js';
import { PartStore } from '../src/part-store.js';
import { Output } from '../src/output.js';
import { receive } from '../src/receive.js';
import { MAX_PENDING_OFFERS, ResumeListener } from '../src/resume-listen.js';
import { parseContentType, parseUri, type IncomingMessage, type Session } from '@msrp-ts/msrp-core';

const OFFER: FileOfferBody = {
  transferId: 'c65865bc-72f1-462d-8027-28f493f4af62',
  name: 'my "photo" 100%.jpg',
  size: 123_456,
  type: 'image/jpeg',
  modified: 'Mon, 30 Nov 2026 02:30:16 +0000',
};

describe('file offer and answer bodies', () => {
  it('round-trip, in RFC 5547 attribute lines', () => {
    const text = formatFileOffer(OFFER);
    expect(text).toContain(
      'a=file-selector:name:"my %22photo%22 100%25.jpg" type:image/jpeg size:123456',
    );
    expect(text).toContain('a=file-date:modification:"Mon, 30 Nov 2026 02:30:16 +0000"');
    expect(parseFileOffer(text)).toEqual(OFFER);
    const answer = { transferId: OFFER.transferId, range: { start: 1001, stop: 123_456 } };
    expect(formatFileAnswer(answer)).toContain('a=file-range:1001-123456');
    expect(parseFileAnswer(formatFileAnswer(answer))).toEqual(answer);
  });

  it('reject bodies that lack what identifies the file or the range', () => {
    expect(parseFileOffer('a=file-selector:name:"x" size:5\r\n')).toBeUndefined();
    expect(
      parseFileOffer('a=file-transfer-id:t\r\na=file-date:modification:"d"\r\n'),
    ).toBeUndefined();
    expect(parseFileOffer('garbage')).toBeUndefined();
    expect(parseFileAnswer('a=file-transfer-id:t\r\na=file-range:5-*\r\n')).toBeUndefined();
    expect(parseFileAnswer('a=file-transfer-id:t\r\na=file-range:9-3\r\n')).toBeUndefined();
  });
});

describe('PartStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'msrp-parts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the part of the same file and starts afresh for another', async () => {
    const store = new PartStore(dir);
    const first = (await store.prepare('a.jpg', OFFER))!;
    expect(first.held).toBe(0);
    await writeFile((await first.open()).partPath, Buffer.alloc(5000, 1));
    // The same file again (a new transfer id, as a resume has): the 5000 octets count.
    const again = await store.prepare('a.jpg', { ...OFFER, transferId: 'other' });
    expect(again!.held).toBe(5000);
    // Another file of that name (modified since): the part starts empty once it is opened.
    const other = (await store.prepare('a.jpg', {
      ...OFFER,
      modified: 'Tue, 1 Dec 2026 00:00:00 +0000',
    }))!;
    expect(other.held).toBe(0);
    const partial = await other.open();
    expect((await stat(partial.partPath)).size).toBe(0);
    expect(partial.record.modified).toBe('Tue, 1 Dec 2026 00:00:00 +0000');
  });

  it('writes nothing for an offer until its part is opened, and keeps the part it would replace', async () => {
    // An offer whose file never came left an empty NAME.part behind, and one of another file
    // of the same name dropped the part held (5000 octets here) all the same.
    const store = new PartStore(dir);
    await writeFile(
      (await (await store.prepare('a.jpg', OFFER))!.open()).partPath,
      Buffer.alloc(5000),
    );
    await store.prepare('a.jpg', { ...OFFER, modified: 'Tue, 1 Dec 2026 00:00:00 +0000' });
    expect((await store.prepare('a.jpg', OFFER))!.held).toBe(5000);
    await store.prepare('b.jpg', { ...OFFER, name: 'b.jpg' });
    expect((await readdir(dir)).sort()).toEqual(['a.jpg.part', 'a.jpg.part.json']);
  });

  it('a part without its record, or a record that is not ours, is left alone: no part', async () => {
    // NAME.part without a record is another file (one received as "a.jpg.part"), and so is a
    // NAME.part.json that is no record of ours: neither is resumed from nor removed.
    const store = new PartStore(dir);
    await writeFile(join(dir, 'a.jpg.part'), Buffer.alloc(100));
    await writeFile(join(dir, 'b.jpg.part.json'), '{"mine":true}\n');
    expect(await store.prepare('a.jpg', OFFER)).toBeUndefined();
    expect(await store.prepare('b.jpg', { ...OFFER, name: 'b.jpg' })).toBeUndefined();
    // Free when the offer came, taken before its file: open refuses, and leaves it too.
    const part = await store.prepare('c.jpg', { ...OFFER, name: 'c.jpg' });
    await writeFile(join(dir, 'c.jpg.part'), 'mine');
    await expect(part!.open()).rejects.toThrow(/c\.jpg\.part .*another file/);
    expect((await readdir(dir)).sort()).toEqual(['a.jpg.part', 'b.jpg.part.json', 'c.jpg.part']);
    expect(await readFile(join(dir, 'c.jpg.part'), 'utf8')).toBe('mine');
    expect((await stat(join(dir, 'a.jpg.part'))).size).toBe(100);
  });

  it('a complete part moves to a free name and its record goes', async () => {
    const store = new PartStore(dir);
    const offer = { ...OFFER, size: 1 };
    await (await store.prepare('a.jpg', offer))!.open();
    await writeFile(join(dir, 'a.jpg.part'), 'x');
    await writeFile(join(dir, 'a.jpg'), 'an older a.jpg');
    // Opened again: the part on disk holds the whole file now.
    const { path } = await store.complete(await (await store.prepare('a.jpg', offer))!.open());
    expect(path).toBe(join(dir, 'a-1.jpg'));
    expect(await readFile(path, 'utf8')).toBe('x');
    expect((await readdir(dir)).sort()).toEqual(['a-1.jpg', 'a.jpg']);
  });

  it('asks for the last octet again when the part is whole but was never completed', async () => {
    const store = new PartStore(dir);
    const part = (await store.prepare('a.jpg', OFFER))!;
    await writeFile((await part.open()).partPath, Buffer.alloc(OFFER.size));
    expect((await store.prepare('a.jpg', OFFER))!.held).toBe(OFFER.size - 1);
  });
});

describe('ResumeListener', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'msrp-resume-listener-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** What a transfer of `offer` that broke after `held` octets (all 1s) leaves in `dir`. */
  async function brokenAt(offer: FileOfferBody, held: number): Promise<void> {
    const partial = await (await new PartStore(dir).prepare(offer.name, offer))!.open();
    await writeFile(partial.partPath, Buffer.alloc(held, 1));
  }

  /** A message as msrp-core hands it over: only what ResumeListener reads. */
  function message(fields: Record<string, unknown>): IncomingMessage {
    return { messageId: 'm1', contentHeaders: [], ...fields } as unknown as IncomingMessage;
  }

  /** The offer of `offer` as a message (`fields`: its From-Path, say). */
  function offered(offer: FileOfferBody, fields: Record<string, unknown> = {}): IncomingMessage {
    const text = formatFileOffer(offer);
    return message({ ...fields, body: Buffer.from(text), text: () => text });
  }

  /**
   * The file `filename` of `size` octets as it arrives, from `fields.offset` (default 0) to its
   * end, whole and in time unless `fields` say otherwise.
   */
  function arriving(
    filename: string,
    size: number,
    fields: Record<string, unknown> = {},
  ): IncomingMessage {
    const offset = (fields.offset as number | undefined) ?? 0;
    return message({
      filename,
      size,
      offset,
      aborted: false,
      announcedHash: undefined,
      completed: Promise.resolve(),
      body: Buffer.alloc(size - offset),
      ...fields,
    });
  }

  /** A listener in `dir` whose session records each answer it sends, and where to. */
  function listening(): {
    listener: ResumeListener;
    answers: { body: string; toPath: unknown }[];
  } {
    const answers: { body: string; toPath: unknown }[] = [];
    const session = {
      send: (body: string, options: { toPath?: unknown }) => {
        answers.push({ body, toPath: options.toPath });
        return Promise.resolve({});
      },
    } as unknown as Session;
    return { listener: new ResumeListener(session, dir, new Output('msrp listen', true)), answers };
  }

  it('keeps the part of a message handed over short (cut by its connection), not completing it', async () => {
    const { listener, answers } = listening();
    await listener.offer(offered({ ...OFFER, name: 'a.bin', size: 1000 }));
    expect(answers[0]!.body).toContain('a=file-range:1-1000');
    const handled = await listener.receive(
      message({
        filename: 'a.bin',
        size: 1000,
        offset: 0,
        aborted: true,
        announcedHash: undefined,
        body: Buffer.alloc(600, 1), // what arrived before the cut
      }),
    );
    expect(handled).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['a.bin.part', 'a.bin.part.json']);
    expect((await stat(join(dir, 'a.bin.part'))).size).toBe(600);
  });

  it('completes a whole file whose hash matches, and drops one whose hash does not', async () => {
    const { listener } = listening();
    const data = Buffer.alloc(1000, 7);
    const good = `sha-256:${createHash('sha256')
      .update(data)
      .digest('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1:')}`;
    for (const [name, announcedHash] of [
      ['good.bin', good],
      ['bad.bin', good.replace(/.$/, (c) => (c === '0' ? '1' : '0'))],
    ] as const) {
      await listener.offer(offered({ ...OFFER, name, size: data.length }));
      const file = { filename: name, size: data.length, offset: 0, aborted: false, body: data };
      const completed = Promise.resolve();
      expect(await listener.receive(message({ ...file, announcedHash, completed }))).toBe(true);
    }
    expect((await readdir(dir)).sort()).toEqual(['good.bin']);
    expect((await readFile(join(dir, 'good.bin'))).equals(data)).toBe(true);
  });

  it("matches a file to its own sender's offer; a newer offer of the name supersedes", async () => {
    const { listener, answers } = listening();
    const from = (who: string) => [
      parseUri('msrp://relay.example:2855/r1;tcp'),
      parseUri(`msrp://${who}.example:2855/s-${who};tcp`),
    ];
    const offer = { ...OFFER, name: 'a.bin', size: 1000 };
    await listener.offer(offered(offer, { fromPath: from('alice') }));
    await brokenAt(offer, 400);
    // bob offers the same file: answered at his From-Path, from what the part holds.
    await listener.offer(offered(offer, { fromPath: from('bob') }));
    expect(answers.map((a) => a.toPath)).toEqual([from('alice'), from('bob')]);
    expect(answers[1]!.body).toContain('a=file-range:401-1000');
    const file = (who: string) =>
      arriving('a.bin', 1000, { fromPath: from(who), offset: 400, body: Buffer.alloc(600, 2) });
    // alice's file: her offer was superseded, so it is not hers to complete.
    expect(await listener.receive(file('alice'))).toBe(false);
    expect(await listener.receive(file('bob'))).toBe(true);
    const saved = await readFile(join(dir, 'a.bin'));
    expect(saved.subarray(0, 400).every((b) => b === 1)).toBe(true);
    expect(saved.subarray(400).every((b) => b === 2)).toBe(true);
  });

  it('answers an offer of another file of a name being written at once, from its first octet', async () => {
    const { listener, answers } = listening();
    const alices = { ...OFFER, name: 'a.bin', size: 1000 };
    const bobs = { ...alices, size: 2000, modified: 'Tue, 01 Dec 2026 06:00:00 +0000' };
    const file = (size: number, completed: Promise<void>) =>
      arriving('a.bin', size, { completed, body: Buffer.alloc(size, 3) });
    await listener.offer(offered(alices));
    let done!: () => void;
    const alicesFile = listener.receive(file(1000, new Promise((resolve) => (done = resolve))));
    // Bob's answer does not wait for Alice's file (before, it waited for all of it), and Bob
    // gets no part: Alice's part is the name's.
    await listener.offer(offered(bobs));
    expect(answers[1]!.body).toContain('a=file-range:1-2000');
    expect(await listener.receive(file(2000, Promise.resolve()))).toBe(false);
    done();
    expect(await alicesFile).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['a.bin']);
    // Alice's file written, the name is free: Bob's next offer gets a part of its own.
    await listener.offer(offered(bobs));
    expect(await listener.receive(file(2000, Promise.resolve()))).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['a-1.bin', 'a.bin']);
  }, 10_000);

  it("answers another sender's other file of a name at once while an offer of it waits, keeping that part", async () => {
    const { listener, answers } = listening();
    const from = (who: string) => [parseUri(`msrp://${who}.example:2855/s-${who};tcp`)];
    const alices = { ...OFFER, name: 'a.bin', size: 1000 };
    const bobs = { ...alices, size: 2000, modified: 'Tue, 01 Dec 2026 06:00:00 +0000' };
    // Alice's transfer broke at byte 400; she offers again and is told to go on from 401.
    await listener.offer(offered(alices, { fromPath: from('alice') }));
    await brokenAt(alices, 400);
    await listener.offer(offered(alices, { fromPath: from('alice') }));
    expect(answers[1]!.body).toContain('a=file-range:401-1000');
    // Before her file comes, Bob offers another a.bin: he sends his whole, under a free name.
    await listener.offer(offered(bobs, { fromPath: from('bob') }));
    expect(answers[2]!.body).toContain('a=file-range:1-2000');
    expect((await stat(join(dir, 'a.bin.part'))).size).toBe(400);
    const file = (who: string, size: number, offset: number, fill: number) =>
      arriving('a.bin', size, {
        fromPath: from(who),
        offset,
        body: Buffer.alloc(size - offset, fill),
      });
    expect(await listener.receive(file('bob', 2000, 0, 3))).toBe(false);
    expect(await listener.receive(file('alice', 1000, 400, 2))).toBe(true);
    const saved = await readFile(join(dir, 'a.bin'));
    expect(saved.length).toBe(1000);
    expect(saved.subarray(0, 400).every((b) => b === 1)).toBe(true);
    expect(saved.subarray(400).every((b) => b === 2)).toBe(true);
  });

  it(`remembers at most ${MAX_PENDING_OFFERS} offers waiting for their file`, async () => {
    const { listener } = listening();
    const names = Array.from({ length: MAX_PENDING_OFFERS + 1 }, (_, i) => `f${i}.bin`);
    for (const name of names) {
      await listener.offer(offered({ ...OFFER, name, size: 10 }));
    }
    expect(await listener.receive(arriving(names[0]!, 10))).toBe(false);
    expect(await listener.receive(arriving(names.at(-1)!, 10))).toBe(true);
  });
});

describe('receive', () => {
  it('refuses the rest of a file whose part it does not hold (413 to the sender)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-receive-'));
    try {
      let discarded = false;
      const tail = {
        messageId: 'm1',
        contentHeaders: [],
        contentType: parseContentType('application/octet-stream'),
        filename: 'a.bin',
        size: 1000,
        offset: 400,
        isKeepalive: false,
        stream: {},
        discard: () => (discarded = true),
      } as unknown as IncomingMessage;
      const out = new Output('msrp listen', true);
      await receive(tail, dir, out);
      expect(discarded).toBe(true);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
