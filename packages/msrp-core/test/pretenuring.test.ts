// Issue 12: V8 "pretenures" an object literal's allocation site once all of its first objects
// survived a scavenge, and from then on allocates every object of that site in the old
// generation. The sender's per-message Sending was such a literal: the first messages of a
// process tripped it, and every Sending after it died in the old generation, keeping what it
// pointed to in the young one alive until a full collection (~370 bytes promoted per small
// message with the `msrp` bin's 1 MiB semi-spaces). A sender, in a process of its own with
// those semi-spaces, must show no allocation site of ours tenured.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** The bundle Node programs import (a tsx child would tenure sites of its own as it starts). */
const bundle = join(root, 'packages/msrp-core/dist/bundle/index.js');
const MESSAGES = 10_000;

/** Sends MESSAGES 100-byte messages, 64 in flight, to the URI it is given; prints `sent N`. */
const SENDER = `
const { Endpoint } = await import(process.argv[2]);
const endpoint = new Endpoint();
const session = endpoint.createSession();
await session.connect([JSON.parse(process.argv[3])]);
const body = new Uint8Array(100).fill(0x61);
function* messages() { for (let i = 0; i < ${MESSAGES}; i++) yield body; }
const sent = await session.sendMany(messages(), { contentType: 'text/plain', maxPending: 64 });
console.log('sent', sent.messages);
await endpoint.close();
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-pretenuring-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a sender of small messages has no allocation site tenured by V8', async () => {
  const receiver = new Endpoint();
  try {
    await receiver.listen({ host: '127.0.0.1', port: 0 });
    const session = receiver.createSession();
    session.accept();
    const reading = (async () => {
      let got = 0;
      for await (const batch of session.batches()) if ((got += batch.length) >= MESSAGES) return;
    })();
    const script = join(dir, 'sender.mjs');
    await writeFile(script, SENDER);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--max-semi-space-size=1',
        '--trace-pretenuring',
        '--trace-pretenuring-statistics',
        script,
        bundle,
        JSON.stringify(session.localUri),
      ],
      { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
    );
    await reading;
    expect(stdout).toContain(`sent ${MESSAGES}`);
    // V8 prints one line per decision: "... (created, found, ratio) (180, 180, 1.0) undecided => tenure".
    expect(stdout.split('\n').filter((line) => line.endsWith('=> tenure'))).toEqual([]);
  } finally {
    await receiver.close();
  }
}, 40_000);
