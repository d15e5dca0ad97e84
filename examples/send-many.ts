// Runnable: pnpm exec tsx --conditions=source examples/send-many.ts (the README shows this file).
import { Endpoint } from '@msrp-ts/msrp-core';

const bob = new Endpoint();
await bob.listen({ host: '127.0.0.1', port: 0 });
const bobSession = bob.createSession();
bobSession.accept();
const alice = new Endpoint();
const aliceSession = alice.createSession();
await aliceSession.connect([bobSession.localUri]);

// Bob reads what arrives in batches: one wait per socket read, not per message.
const COUNT = 10_000;
const received = (async () => {
  let count = 0;
  for await (const batch of bobSession.batches()) {
    count += batch.length;
    if (count === COUNT) return batch.at(-1)?.text();
  }
})();

// Alice sends each reading as its own message, 64 at most waiting for their 200.
function* readings(): Generator<string> {
  for (let i = 0; i < COUNT; i++) yield `reading ${i}`;
}
const { messages, bytes } = await aliceSession.sendMany(readings(), { maxPending: 64 });
console.log(`alice sent ${messages} messages, ${bytes} bytes`);
console.log('bob got the last:', await received);

await alice.close();
await bob.close();
