// File transfer under faults, as a property: a file of any size (empty, one byte, around a
// chunk boundary, a few MiB) sent with `sendFile(path)` under any chunk size, hashed with
// SHA-256 or SHA-1 (RFC 5547), saved with `saveTo`, into a `PartialFile` or a Blob
// (`receiveBlob`), in memory or over loopback TCP, maybe beside another file, while the sender
// aborts, the receiver discards, or the connection is cut at any byte of either direction;
// then the rest resumed. Every send and save settles; a save that resolved is exact with its
// hash; one that failed leaves only a prefix of the file, no completed file, and a record
// claiming no octet the part lacks; a resume sends only the missing octets and ends exact;
// the file beside is unharmed; no file descriptor or worker hash outlives a run.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DeliveryError,
  MsrpError,
  nodeHasher,
  PartialFile,
  receiveBlob,
  workerHasher,
  type IncomingMessage,
  type Session,
} from '../src/index.js';
import { openWorkerHashes } from '../src/node/worker-hasher.js';
import { cutPair, tcpPair, type Cut } from './helpers/cut-pair.js';
import {
  fdsUnder,
  scenarios,
  settles,
  sha,
  type Algorithm,
  type Scenario,
} from './helpers/file-faults.js';
import { until } from './helpers/socket-pair.js';

/** How a send or a save ended. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What one run checks, in its own temp dir and endpoints. */
async function run(s: Scenario): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-file-abort-'));
  try {
    await transfer(s, dir);
    // Every file the run opened is closed, every hash the worker held is dropped.
    await until(() => fdsUnder(dir) === 0, 5000, `no descriptor open under ${dir}`);
    await until(() => openWorkerHashes() === 0, 5000, 'no hash left in the worker');
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
}

async function transfer(s: Scenario, dir: string): Promise<void> {
  const { size, fault } = s;
  const algorithm: Algorithm = s.hash ?? 'sha-256';
  const source = randomBytes(size);
  const sourcePath = join(dir, 'source.bin');
  await writeFile(sourcePath, source);
  const target = join(dir, 'target.bin');
  const right = sha(algorithm, source);
  const expectedHash =
    s.expected === 'none'
      ? undefined
      : s.expected === 'right'
        ? right
        : sha(algorithm, randomBytes(8));
  const createHasher = s.worker ? workerHasher : nodeHasher;
  const local: Array<() => unknown> = [];
  // How many bytes the faulty side writes for the whole file: the bodies and ~250 bytes of
  // head a chunk one way, a 200 of ~170 bytes a chunk the other.
  const chunks = Math.max(1, Math.ceil(size / s.chunkSize)) + 1;
  const whole =
    fault.kind === 'cut' && fault.from === 'dialer' ? size + 250 * chunks : 170 * chunks;
  const cut: Cut | undefined =
    fault.kind === 'cut'
      ? { from: fault.from, after: Math.floor((fault.at / 1000) * whole) }
      : undefined;
  const sides = {
    receiver: {
      confirmWhenRead: s.confirmWhenRead,
      inMemoryThreshold: s.inMemoryThreshold,
      rebind: true,
      createHasher,
    },
    sender: { chunkSize: s.chunkSize, createHasher },
  };
  const { server, client } =
    s.tcp && cut === undefined
      ? await tcpPair(local, sides)
      : cutPair(local, { ...sides, cuts: [cut] });
  const partial =
    s.save === 'partial'
      ? await PartialFile.open(target, {
          size,
          createHasher,
          recordInterval: 5,
          ...(expectedHash !== undefined && { hash: expectedHash }),
        })
      : undefined;
  const receiving = server.createSession();
  receiving.accept();
  // The receiver stores each message as it comes, one after the other.
  const messages: IncomingMessage[] = [];
  const saves: Array<Promise<Outcome>> = [];
  let storing: Promise<unknown> = Promise.resolve();
  /** Where a range resume goes in the file `saveTo` writes (RFC 5547 §6: from Byte-Range 1). */
  let saveAt: number | undefined;
  let saveBeside!: (saved: Promise<boolean>) => void;
  const besideSaved = new Promise<boolean>((resolve) => (saveBeside = (saved) => resolve(saved)));
  /** Stores one message of the file, as the save mode says. */
  const save = (message: IncomingMessage): Promise<unknown> =>
    partial !== undefined
      ? partial.receive(message)
      : s.save === 'blob'
        ? receiveBlob(message, {
            createHasher,
            ...(expectedHash !== undefined && { hash: expectedHash }),
          })
        : message.saveTo(target, {
            ...(expectedHash !== undefined && { expectedHash }),
            ...(saveAt !== undefined && { offset: saveAt }),
            refuseMismatch: s.refuseMismatch,
            // What arrived stays, to resume from (by default a failed save leaves nothing).
            keepPartial: true,
          });
  // Every message is taken as it comes: with confirmWhenRead, one left untaken while another
  // is stored holds its chunks' 200s, and with them the sender's window both share. The
  // file's own messages are stored one after the other (a PartialFile receives one at a time).
  const reading = (async () => {
    for await (const message of receiving) {
      if (message.messageId === 'beside') {
        saveBeside(
          message.saveTo(join(dir, 'beside.bin')).then(
            () => true,
            () => false,
          ),
        );
        continue;
      }
      messages.push(message);
      const n = messages.length;
      const settled = storing.then(() =>
        settles(save(message), `save ${n}`).then(
          (value): Outcome => ({ ok: true, value }),
          (error: unknown): Outcome => ({ ok: false, error }),
        ),
      );
      saves.push(settled);
      storing = settled;
    }
  })();
  try {
    // The first try, under the fault.
    const controller = new AbortController();
    const at = 'at' in fault ? Math.ceil((fault.at / 1000) * size) : Infinity;
    let session: Session = client.createSession();
    // A cut in the first bytes fails the connect itself (its bodiless SEND, RFC 4975 §5.4).
    const connected = session.connect([receiving.localUri]);
    const sending = (async () => {
      await connected;
      const send = session.sendFile(sourcePath, {
        messageId: 'file-1',
        ...(s.hash !== undefined && { hash: s.hash }),
        signal: controller.signal,
        onProgress: ({ bytes }) => {
          if (bytes < at) return;
          if (fault.kind === 'abort') controller.abort();
          if (fault.kind === 'discard') messages[0]?.discard();
        },
      });
      if (fault.kind === 'abort-open') controller.abort();
      return send;
    })();
    const besideBytes = randomBytes(s.beside ?? 0);
    const beside =
      s.beside === undefined
        ? undefined
        : (async () => {
            await writeFile(join(dir, 'beside-source.bin'), besideBytes);
            await connected;
            return session.sendFile(join(dir, 'beside-source.bin'), { messageId: 'beside' });
          })().then(
            () => true,
            () => false,
          );
    const first = await settles(sending, 'the first send').then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (beside) {
      // An abort or a refusal stops its own message, not the other one on the session.
      const besideSent = await settles(beside, 'the send beside');
      if (fault.kind !== 'cut') {
        expect(besideSent).toBe(true);
        expect(await settles(besideSaved, 'the save beside')).toBe(true);
        expect((await readFile(join(dir, 'beside.bin'))).equals(besideBytes)).toBe(true);
      }
    }
    await session.close();
    if (receiving.state === 'bound') await settles(nextUnbound(receiving), 'unbound');
    await storing;
    const firstSave = (await Promise.all(saves))[0];

    // Only a file that is not the expected one fails its hash.
    if (
      firstSave &&
      !firstSave.ok &&
      (firstSave.error as MsrpError).code === 'MSRP_ERR_HASH_MISMATCH'
    ) {
      expect(s.expected).toBe('wrong');
    }
    // With confirmWhenRead, a send told every octet arrived means they were stored.
    if (first.ok && s.confirmWhenRead && fault.kind !== 'discard' && s.expected !== 'wrong') {
      expect(firstSave?.ok).toBe(true);
    }
    if (s.save === 'blob') {
      // In memory only: a Blob is handed out exact, with its hash checked, or not at all.
      if (firstSave?.ok) {
        const blob = firstSave.value as Blob;
        expect(Buffer.from(await blob.arrayBuffer()).equals(source)).toBe(true);
        expect(s.expected).not.toBe('wrong');
      }
      if (first.ok && fault.kind === 'none' && s.expected !== 'wrong')
        expect(firstSave?.ok).toBe(true);
      return;
    }
    // What the first try left.
    if (first.ok) {
      expect(first.value).toMatchObject({ bytes: size, hash: right });
    } else {
      expect(first.error).toBeInstanceOf(MsrpError);
      if (fault.kind === 'none') {
        // Only a wrong hash refused (413) fails a send without a fault.
        expect(s.expected).toBe('wrong');
        expect(first.error).toMatchObject({ status: 413 });
      }
    }
    // A file that is not the one expected is refused at its last chunk, never confirmed (an
    // empty one too: its one chunk is answered once the reader checked it and read its end).
    const refusing = s.expected === 'wrong' && (partial !== undefined || s.refuseMismatch);
    if (fault.kind === 'none' && refusing && s.confirmWhenRead) {
      expect(first.ok).toBe(false);
    }
    const onDisk = await readFile(partial ? partial.partPath : target).catch(() => undefined);
    const confirmed =
      !first.ok && first.error instanceof DeliveryError ? first.error.confirmedBytes : 0;
    if (s.confirmWhenRead && !first.ok && first.error instanceof DeliveryError) {
      // Confirmed means stored: a 200 leaves once the octets are written.
      expect(onDisk?.length ?? 0).toBeGreaterThanOrEqual(confirmed);
      if (partial) expect(partial.held).toBeGreaterThanOrEqual(confirmed);
    }
    if (first.ok && s.confirmWhenRead) expect(onDisk?.equals(source)).toBe(true);
    if (onDisk) expect(onDisk.equals(source.subarray(0, onDisk.length))).toBe(true);
    if (partial) await checkPart(partial, source, target);
    if (firstSave?.ok && !partial) {
      expect(onDisk?.equals(source)).toBe(true);
      expect(firstSave.value).toMatchObject({
        hash: expectedHash !== undefined ? right : sha(algorithm, source),
        hashMatches: s.expected !== 'wrong',
      });
    }
    if (firstSave?.ok && partial && partial.held === size) {
      expect(firstSave.value).toMatchObject({ held: size });
    }
    if (fault.kind === 'none' && s.expected !== 'wrong') expect(firstSave?.ok).toBe(true);

    // The rest, resumed on a new connection (a wrong hash can never complete).
    const held = partial ? partial.held : (onDisk?.length ?? 0);
    const done = partial ? held === size : firstSave?.ok === true;
    if (s.expected === 'wrong') {
      if (partial) {
        await expect(partial.complete()).rejects.toBeInstanceOf(MsrpError);
        await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
      }
      return;
    }
    if (!done) {
      // In-session only after a cut: a message aborted ('#') or refused (413) stays stopped for
      // its Message-ID, and its rest goes as a new message (RFC 5547 §6 file-range).
      const inSession = s.inSession && s.confirmWhenRead && fault.kind === 'cut' && !first.ok;
      const offset = inSession ? confirmed : held < size ? held : 0;
      session = client.createSession();
      await session.connect([receiving.localUri]);
      const count = messages.length;
      if (!inSession) saveAt = offset;
      const rest = await settles(
        session.sendFile(
          sourcePath,
          inSession
            ? { offset, messageId: 'file-1', ...(s.hash !== undefined && { hash: s.hash }) }
            : offset < size
              ? {
                  range: { start: offset + 1, end: size },
                  ...(s.hash !== undefined && { hash: s.hash }),
                }
              : { ...(s.hash !== undefined && { hash: s.hash }) },
        ),
        'the resumed send',
      );
      expect(rest.hash).toBe(right);
      await until(() => saves.length > count, 5000, 'the resumed message');
      const resumed = messages[count]!;
      // Only the missing octets travel.
      expect(resumed.offset).toBe(inSession ? offset : 0);
      expect((resumed.size ?? 0) - resumed.offset).toBe(size - offset);
      const save = await saves[count]!;
      if (!save.ok) throw save.error;
      if (!partial) {
        expect(save.value).toMatchObject({ bytes: size - offset, hash: right, hashMatches: true });
        expect((await readFile(target)).equals(source)).toBe(true);
      }
      await session.close();
    }
    if (partial) {
      expect(partial.held).toBe(size);
      const completed = await partial.complete();
      // Hashed with the algorithm it was checked against: SHA-256 when none was ever known
      // (an empty part, full before any message came).
      expect(completed.path).toBe(target);
      expect(completed.hash).toBe(
        completed.checkedAgainst === undefined ? sha('sha-256', source) : right,
      );
      if (s.expected === 'right') expect(completed.checkedAgainst).toBe(right);
      expect((await readFile(target)).equals(source)).toBe(true);
      await expect(stat(partial.partPath)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(partial.recordPath)).rejects.toMatchObject({ code: 'ENOENT' });
    }
  } finally {
    for (const cleanup of local.reverse()) await cleanup();
    await settles(reading, 'the reader');
    await Promise.all(saves);
  }
}

/** The part is a prefix of the source, its record claims no more, and no file claims completion. */
async function checkPart(partial: PartialFile, source: Uint8Array, target: string): Promise<void> {
  const part = await readFile(partial.partPath);
  expect(part.equals(source.subarray(0, part.length))).toBe(true);
  expect(partial.held).toBeLessThanOrEqual(part.length);
  const record = JSON.parse(await readFile(partial.recordPath, 'utf8')) as {
    received: { start: number; end: number }[];
  };
  for (const span of record.received) expect(span.end).toBeLessThanOrEqual(part.length);
  await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
}

function nextUnbound(session: Session): Promise<void> {
  return new Promise((resolve) => session.once('unbound', () => resolve()));
}

describe('file transfer under aborts, refusals and cuts', () => {
  it('every send and save settles; saved files are exact or an honest prefix; resumes complete', async () => {
    const before = readdirSync('/proc/self/fd').length;
    await fc.assert(fc.asyncProperty(scenarios, run), { numRuns: 30 });
    // No descriptor of any kind outlives the runs (the hash worker's end once it idles).
    await until(() => readdirSync('/proc/self/fd').length <= before, 5000, 'descriptors closed');
  }, 120_000);
});
