// An endpoint that dialed a WebSocket peer (dialWs, Node's default for `;ws` URIs) while the
// peer goes away in the middle of a transfer, every way a WebSocket can end: a close with any
// code a peer may send (RFC 6455 §7.4), a close with half a response sent, a dropped TCP
// connection, two frames in one message (RFC 7977 §5.1). Every send settles (none hangs),
// and the endpoint dials the next peer as if nothing happened.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, type RawData, type WebSocket } from 'ws';
import {
  DeliveryError,
  Endpoint,
  Parser,
  webSocketDialer,
  type RequestHead,
} from '../src/index.js';
import { wsServer, wsUri } from './helpers/ws-server.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A 200 to `head` as the peer writes it. */
function ok(head: RequestHead): Buffer {
  const to = head.fromPath[0]!;
  const from = head.toPath[0]!;
  const uri = (u: typeof to) => `msrp://${u.host}:${u.port}/${u.sessionId};${u.transport}`;
  return Buffer.from(
    `MSRP ${head.transactionId} 200 OK\r\nTo-Path: ${uri(to)}\r\nFrom-Path: ${uri(from)}\r\n` +
      `-------${head.transactionId}$\r\n`,
  );
}

type Ending = (socket: WebSocket, answer: Buffer) => void;

/**
 * A peer that answers the SENDs of the first `answered` body bytes with 200, each in a
 * message of its own, then ends as `end` says (given the answer it would have sent next).
 */
async function peer(answered: number, end: Ending) {
  const server = await wsServer((socket) => {
    let bytes = 0;
    let ended = false;
    const parser = new Parser({
      head: (head) => {
        if (ended || head.kind !== 'request') return;
        const answer = ok(head);
        if (bytes > answered) {
          ended = true;
          end(socket, answer);
        } else socket.send(answer);
      },
      body: (part) => void (bytes += part.length),
      end: () => undefined,
    });
    socket.on('message', (data: RawData) => parser.push(data as Buffer));
  });
  cleanups.push(() => server.close());
  return server;
}

const closeWith =
  (code: number): Ending =>
  (socket) =>
    socket.close(code, 'going');

/** Node's default dialer (`dialWs`), and the standard WebSocket API's (as in a browser). */
const DIALERS = {
  dialWs: {},
  webSocketDialer: { dialers: { msrp: webSocketDialer({ WebSocket: NodeWebSocket }) } },
};

describe.each(Object.keys(DIALERS) as Array<keyof typeof DIALERS>)(
  'a WebSocket peer that goes away mid-transfer (%s)',
  (dialer) => {
    it.each<[string, Ending]>([
      ...[1000, 1001, 1003, 1008, 1011, 1014, 3000, 4999].map((code): [string, Ending] => [
        `closes with ${code}`,
        closeWith(code),
      ]),
      ['drops the TCP connection', (socket) => socket.terminate()],
      [
        'sends half a response, then closes with 1000',
        (socket, answer) => {
          socket.send(answer.subarray(0, 20));
          socket.close(1000);
        },
      ],
      [
        'sends two responses in one message (RFC 7977 §5.1)',
        (socket, answer) => socket.send(Buffer.concat([answer, answer])),
      ],
    ])('%s: every send settles, and the endpoint goes on', async (_, end) => {
      const alice = new Endpoint(DIALERS[dialer]);
      cleanups.push(() => alice.close());
      const bad = await peer(300 * 1024, end);
      const session = alice.createSession({ chunkSize: 16 * 1024, maxInFlightChunks: 4 });
      await session.connect([wsUri(bad.port, 'bad')]);
      const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
      const sends = [
        session.send(Buffer.alloc(1024 * 1024, 0x61)),
        session.send('a line behind it'),
        session.send(Buffer.alloc(64 * 1024, 0x62)),
      ];
      const outcomes = await Promise.allSettled(sends);
      // The first one cannot have been confirmed whole: the peer answered 300 KiB of it.
      expect(outcomes[0]!.status).toBe('rejected');
      for (const outcome of outcomes)
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(DeliveryError);
      await closed;

      // A good peer, dialed next, gets every byte.
      const good = await peer(Infinity, () => undefined);
      const next = alice.createSession();
      await next.connect([wsUri(good.port, 'good')]);
      expect((await next.send(Buffer.alloc(100 * 1024, 0x63))).bytes).toBe(100 * 1024);
    });
  },
);
