// An Endpoint on a WebSocket whose application stops reading a large message: the relay
// holds a bounded amount for it and holds the sender back, TCP or WebSocket; once the
// application reads on, every byte arrives exact. On Node (`wsStream`) the session's
// backpressure pauses the socket; with the standard WebSocket API (`page`, as in a browser),
// which cannot stop reading, the chunks it holds unread go unanswered, and the relay's bound
// on unanswered chunks (maxPendingBytes) stops it.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { webSocketDialer, type IncomingMessage } from '@msrp-ts/msrp-core';
import { clientOf, next, onCleanup, sessionPair, stalled, startRelay } from './helpers.js';

const MiB = 1024 * 1024;
/** What the relay may hold for one slow next hop: maxQueuedBytes plus one segment. */
const QUEUE_BOUND = MiB + 64 * 1024;

function patterned(size: number): Buffer {
  const content = Buffer.alloc(size);
  for (let i = 0; i < size; i++) content[i] = (i * 131 + 17) & 0xff;
  return content;
}

describe('a WebSocket endpoint that stops reading', () => {
  it.each([
    ['tcp', 'ws'],
    ['ws', 'ws'],
    ['tcp', 'page'],
    ['ws', 'page'],
  ] as const)(
    'holds back a %s sender to a %s reader in bounded relay memory; all arrives once it reads',
    async (senderTransport, readerTransport) => {
      const { relay, uri: tcp } = await startRelay();
      const ws = await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' });
      const alice = await clientOf('alice', [senderTransport === 'tcp' ? tcp : ws]);
      const page = { dialers: { msrp: webSocketDialer({ WebSocket }) } };
      const bob = await clientOf('bob', [ws], readerTransport === 'page' ? page : {});
      const { a, b } = await sessionPair(alice, bob);
      let peak = 0;
      const timer = setInterval(() => (peak = Math.max(peak, relay.queuedBytes)), 2);
      onCleanup(() => clearInterval(timer));
      const content = patterned(24 * MiB);
      let done = false;
      const sent = a
        .send(content, { contentType: 'application/octet-stream' })
        .finally(() => (done = true));
      // Bob takes the message, and reads none of its stream.
      const message: IncomingMessage = await next(b[Symbol.asyncIterator]());
      expect(message.stream).toBeDefined();
      await stalled(() => relay.stats.bytesForwarded, MiB);
      expect(done).toBe(false);
      expect(relay.stats.bytesForwarded).toBeLessThan(content.length / 2);
      expect(relay.queuedBytes).toBeLessThanOrEqual(QUEUE_BOUND);
      const parts: Uint8Array[] = [];
      for await (const part of message.stream!) parts.push(part);
      expect(Buffer.concat(parts).equals(content)).toBe(true);
      expect((await sent).bytes).toBe(content.length);
      expect(peak).toBeLessThanOrEqual(QUEUE_BOUND);
    },
    30_000,
  );
});
