// Runnable: pnpm exec tsx --conditions=source examples/resume.ts (the README shows this file).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryError, Endpoint, PartialFile } from '@msrp-ts/msrp-core';

const dir = await mkdtemp(join(tmpdir(), 'msrp-resume-'));
const source = join(dir, 'video.bin');
await writeFile(source, randomBytes(8 * 1024 * 1024));

// Bob answers each chunk only once its bytes are on disk (confirmWhenRead), and keeps his
// session when the connection drops (rebind), waiting for Alice to come back.
const bob = new Endpoint({ session: { confirmWhenRead: true, rebind: true } });
await bob.listen({ host: '127.0.0.1', port: 0 });
const bobSession = bob.createSession();
bobSession.accept();
const inbox = bobSession[Symbol.asyncIterator]();

// Alice starts sending, and her connection breaks after 2 MiB.
const alice = new Endpoint();
let aliceSession = alice.createSession();
await aliceSession.connect([bobSession.localUri]);
const firstTry = aliceSession
  .sendFile(source, {
    messageId: 'video-1',
    onProgress: ({ bytes }) => bytes >= 2 * 1024 * 1024 && void aliceSession.close(),
  })
  .catch((e: unknown) => e);

// Bob writes what arrives to video.bin.part, with a record of it in video.bin.part.json.
const first = (await inbox.next()).value!;
const partial = await PartialFile.open(join(dir, 'video.bin'), { size: first.size! });
await partial.receive(first).catch((e: Error) => console.log('bob: cut:', e.message));
const error = await firstTry;
if (!(error instanceof DeliveryError)) throw new Error('the first try should have failed');
console.log(`alice: cut after ${error.confirmedBytes} bytes confirmed; bob holds ${partial.held}`);

// Alice comes back on a new connection and sends only the rest of the same message.
aliceSession = alice.createSession();
await aliceSession.connect([bobSession.localUri]);
const rest = aliceSession.sendFile(source, { offset: error.confirmedBytes, messageId: 'video-1' });
const second = (await inbox.next()).value!; // second.offset === error.confirmedBytes
await partial.receive(second);
const done = await partial.complete(); // the whole file's hash checked, renamed to video.bin
console.log('alice:', (await rest).hash);
console.log('bob:  ', done.hash, 'matches:', done.hash === done.checkedAgainst);
const same = (await readFile(done.path)).equals(await readFile(source));
console.log('bob has the same bytes:', same);

await alice.close();
await bob.close();
await rm(dir, { recursive: true });
