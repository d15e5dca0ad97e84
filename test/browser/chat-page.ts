// The script of the chat page that browser-chromium.test.ts serves to headless Chromium, bundled
// by esbuild for the browser: the browser entry's Endpoint dials the Node endpoint over a
// WebSocket (RFC 7977), chats, sends a 20 MiB File and reads a 2 MiB message as a stream.
import {
  Endpoint,
  formatHash,
  nobleHasher,
  parseUri,
  unreachableHost,
  type IncomingMessage,
} from '@msrp-ts/msrp-core/browser';

/** What the page saw, returned to the test by `page.evaluate`. */
export interface ChatPageResult {
  readonly reply: string;
  readonly fileBytes: number;
  /** The SHA-256 the page computed while sending the File (`FileDelivery.hash`, without its `sha-256:`). */
  readonly sentSha256: string;
  /** The line the Node side sent after saving the File: `saved <bytes> sha-256:<hash>`. */
  readonly report: string;
  readonly bigBytes: number;
  readonly blobBytes: number;
  /** SHA-256 of the 2 MiB message, computed in the page with `nobleHasher`. */
  readonly bigSha256: string;
  readonly bigAnnouncedHash: string | undefined;
}

/** The page's own HTML defines `say`, which adds a chat line to the page (for the screenshot). */
function say(who: string, text: string): void {
  (globalThis as unknown as { say: (who: string, text: string) => void }).say(who, text);
}

/** The deterministic content of the File: byte i is (i * 31 + 7) mod 256. */
function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

async function next(inbox: AsyncIterator<IncomingMessage>): Promise<IncomingMessage> {
  const result = await inbox.next();
  if (result.done === true) throw new Error('The session closed before the next message');
  return result.value;
}

/** Connects to `uri` (`msrp://host:port/id;ws`) and runs the scenario. */
export async function run(uri: string, fileBytes: number): Promise<ChatPageResult> {
  await using endpoint = new Endpoint();
  const session = endpoint.createSession({
    localUri: parseUri(`msrp://${unreachableHost()}:2855/chromium1;ws`),
  });
  await session.connect([parseUri(uri)]);
  const inbox = session[Symbol.asyncIterator]();

  const hello = 'Hello Node, this is Chromium.';
  await session.send(hello);
  say('chromium', hello);
  const reply = (await next(inbox)).text();
  say('node', reply);

  const file = new File([pattern(fileBytes)], 'pattern.bin', {
    type: 'application/octet-stream',
  });
  const delivery = await session.sendFile(file);
  say('chromium', `sent pattern.bin, ${file.size} bytes, ${delivery.hash}`);
  const report = (await next(inbox)).text();
  say('node', report);

  // A large message arrives as a stream: read it into a Blob, hashing its pieces.
  const big = await next(inbox);
  const sha256 = nobleHasher('sha-256');
  const pieces: Uint8Array[] = [];
  let bigBytes = 0;
  for await (const piece of big.stream ?? [big.body ?? new Uint8Array(0)]) {
    sha256.update(piece);
    bigBytes += piece.length;
    pieces.push(piece);
  }
  const blob = new Blob(pieces);
  const bigSha256 = formatHash(sha256.digest());
  say('node', `(a ${blob.size}-byte message, sha-256:${bigSha256})`);
  return {
    reply,
    fileBytes: file.size,
    sentSha256: delivery.hash.replace(/^sha-256:/, ''),
    report,
    bigBytes,
    blobBytes: blob.size,
    bigSha256,
    bigAnnouncedHash: big.announcedHash,
  };
}

(globalThis as unknown as { chatPage: { run: typeof run } }).chatPage = { run };
