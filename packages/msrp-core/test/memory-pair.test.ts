// The in-memory pair the session tests run over copies what is written, as a socket does:
// a writer may reuse a Buffer once written (a file sender's read buffers do, once the
// peer confirmed them), and a view would hand the reader the new bytes.
import { expect, it } from 'vitest';
import { memoryPair } from './helpers/memory-pair.js';
import { noEvents } from './helpers/no-events.js';

it('delivers the bytes as written, even from a Buffer the writer then reuses', async () => {
  const [ours, theirs] = memoryPair();
  const got = new Promise<Uint8Array>((resolve) => theirs.open({ ...noEvents, data: resolve }));
  ours.open(noEvents);
  const written = Buffer.from('first');
  ours.write([written]);
  written.write('later');
  expect(Buffer.from(await got).toString()).toBe('first');
});
