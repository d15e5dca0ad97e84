// What a web page does with the browser entry, bundled for the browser and run without Node's
// globals (browser-bundle.test.ts): two endpoints over an in-memory byte stream, a chat line
// each way and a File, hashed with @noble/hashes on both sides.
import {
  Endpoint,
  formatHash,
  MsrpError,
  nobleHasher,
  receiveBlob,
  type IncomingMessage,
} from '../../src/browser.js';
import { memoryPair } from '../helpers/memory-pair.js';

export interface ScenarioResult {
  readonly text: string;
  readonly reply: string;
  readonly fileName: string | undefined;
  readonly fileBytes: number;
  readonly sentSha256: string;
  readonly blobBytes: number;
  readonly receivedSha256: string;
  readonly announcedHash: string | undefined;
  readonly blobType: string;
  /** The code receiveBlob rejected a small file with, given a wrong hash. */
  readonly mismatch: string | undefined;
}

export async function run(): Promise<ScenarioResult> {
  // Bob is named by a host, as a relay or a listening peer is; .invalid URIs are never dialed.
  const bob = new Endpoint({ host: 'bob.example.com' });
  const alice = new Endpoint({
    // A page dials its relay over a WebSocket; here the "socket" is an in-memory pair.
    dialers: {
      msrp: () => {
        const [ours, theirs] = memoryPair();
        bob.acceptConnection(theirs, 'alice');
        return Promise.resolve(ours);
      },
    },
  });
  const bobSession = bob.createSession();
  bobSession.accept();
  const aliceSession = alice.createSession();
  await aliceSession.connect([bobSession.localUri]);
  const bobInbox = bobSession[Symbol.asyncIterator]();
  const aliceInbox = aliceSession[Symbol.asyncIterator]();

  await aliceSession.send('Hello Bob!');
  const text = ((await bobInbox.next()).value as IncomingMessage).text();
  await bobSession.send('Hi Alice!');
  const reply = ((await aliceInbox.next()).value as IncomingMessage).text();

  // 2 MiB: above the in-memory threshold (1 MiB), so it arrives as a stream.
  const content = new Uint8Array(2 * 1024 * 1024);
  for (let i = 0; i < content.length; i++) content[i] = (i * 31 + 7) & 0xff;
  const sent = aliceSession.sendFile(new File([content], 'pattern.bin'));
  const file = (await bobInbox.next()).value as IncomingMessage;
  // What a page does with a file: receive it into a Blob, its File-Hash checked (noble).
  const blob = await receiveBlob(file);
  const sha256 = nobleHasher('sha-256');
  const bytes = new Uint8Array(await blob.arrayBuffer());
  sha256.update(bytes);
  const fileBytes = bytes.length;
  const delivery = await sent;

  // A small file (in memory) whose bytes do not match the hash the page expects.
  const small = aliceSession.sendFile(new File(['not what was announced'], 'note.txt'));
  const note = (await bobInbox.next()).value as IncomingMessage;
  const mismatch = await receiveBlob(note, { hash: `sha-1:${'00:'.repeat(19)}00` }).then(
    () => undefined,
    (e: unknown) => (e instanceof MsrpError ? e.code : String(e)),
  );
  await small;

  await alice.close();
  await bob.close();
  return {
    text,
    reply,
    fileName: file.filename,
    fileBytes,
    blobBytes: blob.size,
    sentSha256: delivery.hash.replace(/^sha-256:/, ''),
    receivedSha256: formatHash(sha256.digest()),
    announcedHash: file.announcedHash,
    blobType: blob.type,
    mismatch,
  };
}
