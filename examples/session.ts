// Runnable: pnpm exec tsx --conditions=source examples/session.ts (the README shows this file).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Endpoint } from '@msrp-ts/msrp-core';

// Bob listens; his session waits for the first SEND (the passive side, RFC 4975 §5.4).
const bob = new Endpoint();
await bob.listen({ host: '127.0.0.1', port: 0 });
const bobSession = bob.createSession();
bobSession.accept();

// Alice connects to Bob's session URI (in a real call: the a=path from Bob's SDP).
const alice = new Endpoint();
const aliceSession = alice.createSession();
await aliceSession.connect([bobSession.localUri]);

const inbox = bobSession[Symbol.asyncIterator]();
await aliceSession.send('Hello Bob!');
console.log('bob got:', (await inbox.next()).value?.text());

// Files stream from disk to disk, hashed on the way, with progress.
const dir = await mkdtemp(join(tmpdir(), 'msrp-example-'));
await writeFile(join(dir, 'notes.txt'), 'x'.repeat(100_000));
const sent = aliceSession.sendFile(join(dir, 'notes.txt'), {
  onProgress: ({ bytes, total }) => bytes === total && console.log(`sent ${bytes} bytes`),
});
const file = (await inbox.next()).value!;
const saved = await file.saveTo(join(dir, `received-${file.filename}`));
await sent;
console.log('bob saved:', file.filename, saved.bytes, 'bytes, hash matches:', saved.hashMatches);

await alice.close();
await bob.close();
await rm(dir, { recursive: true });
