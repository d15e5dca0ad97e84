// One side of the small-messages benchmark, in its own process (one core each side). Driven
// over IPC by bench/small-messages.ts.
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { Endpoint, type IncomingMessage, type MsrpUri, type Session } from '@msrp-ts/msrp-core';
import { gcWatch, type GcCount } from './lib/gc-watch.js';
import { startHeapSampling } from './lib/heap-sampling.js';
import { syscalls, syscallsSince as since, type Syscalls } from './lib/syscalls.js';
import {
  floorEcho,
  floorSource,
  MESSAGE_BYTES,
  rawEcho,
  rawSource,
  type WireKind,
} from './small-messages-wire.js';

/** Commands the parent sends. */
export type SmallCommand =
  | { role: 'raw-echo'; wire: WireKind; warmup: number }
  | {
      role: 'raw-source';
      wire: WireKind;
      port: number;
      count: number;
      warmup: number;
      window: number;
    }
  | { role: 'msrp-receiver'; count: number; warmup: number; api: SenderApi }
  | {
      role: 'msrp-sender';
      to: MsrpUri;
      count: number;
      warmup: number;
      window: number;
      api: SenderApi;
    };

/**
 * How the MSRP peers run: a `send()` per message (a promise each) read by `for await` one
 * message at a time, or one `sendMany()` for all of them read by `session.batches()`.
 */
export type SenderApi = 'send' | 'sendMany';

/** What a peer reports back. */
export type SmallReport =
  | { event: 'ready'; port?: number; uri?: MsrpUri }
  | {
      event: 'done';
      count: number;
      ms: number;
      /** CPU time (user + system) the process spent on the messages, in ms. */
      cpuMs?: number;
      /** The system (kernel) share of that, in ms. */
      sysMs?: number;
      /** Read and write system calls meanwhile, where Linux counts them. */
      syscalls?: Syscalls;
      /** Garbage collections meanwhile (the MSRP peers). */
      gc?: GcCount;
      /** The sender's untimed warm-up messages took this long, in ms. */
      warmupMs?: number;
    };

const report = (r: SmallReport): void => {
  process.send!(r);
};
/** What a side spent on its messages: wall time, CPU, system calls. */
type Spent = Pick<Extract<SmallReport, { event: 'done' }>, 'ms' | 'cpuMs' | 'sysMs' | 'syscalls'>;

/** Starts measuring; the function returned gives what was spent since, as report fields. */
function measuring(): () => Spent {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const io0 = syscalls();
  return () => {
    const { user, system } = process.cpuUsage(cpu0);
    return {
      ms: performance.now() - t0,
      cpuMs: (user + system) / 1000,
      sysMs: system / 1000,
      ...since(io0),
    };
  };
}

/**
 * A baseline's answering side: answers what each socket read completed with one write (raw
 * TCP's 60 bytes a message, or the floor's 200s); measures from its `warmup`th message on, as
 * the source times only the messages after those.
 */
async function echo(wire: WireKind, warmup: number): Promise<void> {
  let total = 0;
  let spent: (() => Spent) | undefined;
  const server = createServer((socket) => {
    const reader = wire === 'raw' ? rawEcho() : floorEcho();
    socket.on('data', (b: Buffer) => {
      const { messages, answer } = reader.read(b);
      total += messages;
      if (messages > 0) socket.write(answer);
      if (spent === undefined && total >= warmup) spent = measuring();
    });
    socket.on('end', () => {
      socket.end();
      server.close();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  report({ event: 'ready', port: (server.address() as AddressInfo).port });
  await once(server, 'close');
  report({ event: 'done', count: total - warmup, ...(spent ?? measuring())() });
}

/**
 * A baseline's sending side: `window` messages in flight, the next written as each answer
 * comes; `warmup` of them first, untimed, as the MSRP sender does (why: `raw` in
 * small-messages.ts).
 */
async function source(
  wire: WireKind,
  port: number,
  count: number,
  warmup: number,
  window: number,
): Promise<void> {
  const socket: Socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  const writer = wire === 'raw' ? rawSource() : floorSource();
  let run = { target: 0, sent: 0, answered: 0, done: () => {} };
  const write = (n: number): void => {
    const k = Math.min(n, run.target - run.sent);
    if (k <= 0) return;
    run.sent += k;
    socket.write(writer.frames(k));
  };
  socket.on('data', (b: Buffer) => {
    const answers = writer.answers(b);
    run.answered += answers;
    if (run.answered >= run.target) run.done();
    else write(answers);
  });
  /** Sends `target` messages, `window` in flight; resolves once each was answered. */
  const send = (target: number): Promise<number> =>
    new Promise((resolve) => {
      run = { target, sent: 0, answered: 0, done: () => resolve(run.answered) };
      write(window);
    });
  const warm = performance.now();
  if (warmup > 0) await send(warmup);
  const warmupMs = performance.now() - warm;
  const spent = measuring();
  const answered = await send(count);
  const done = spent();
  socket.end();
  report({ event: 'done', count: answered, ...done, warmupMs });
}

/** MSRP: reads every message of its session, measuring from message `warmup` on. */
async function msrpReceiver(count: number, warmup: number, api: SenderApi): Promise<void> {
  const endpoint = new Endpoint();
  await endpoint.listen({ host: '127.0.0.1', port: 0 });
  const session = endpoint.createSession();
  session.accept();
  // The sender closes once its last message is confirmed.
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  // BENCH_HEAP_PROFILE=DIR: what the receiver allocates per message.
  const heap = await startHeapSampling(`small-receiver-${api}`);
  report({ event: 'ready', uri: session.localUri });
  let got = 0;
  let spent: (() => Spent) | undefined;
  let gcs: (() => GcCount | undefined) | undefined;
  /** Takes one message; true once the last is in. */
  const take = (message: IncomingMessage): boolean => {
    // From the first message past the warm-up (the sender starts its timed messages once
    // every warm-up one was confirmed).
    if (spent === undefined && got >= warmup) {
      spent = measuring();
      gcs = gcWatch();
    }
    if (message.body?.length !== MESSAGE_BYTES) throw new Error('unexpected message');
    return ++got === warmup + count;
  };
  // Each API read as an application would: batches, or a plain `for await` over the session.
  if (api === 'sendMany') {
    reading: for await (const batch of session.batches()) {
      for (const message of batch) if (take(message)) break reading;
    }
  } else {
    for await (const message of session) if (take(message)) break;
  }
  const done = spent?.() ?? { ms: 0 };
  await heap?.stop();
  report({ event: 'done', count: got - warmup, ...done, gc: gcs?.() });
  await closed;
  await endpoint.close();
}

/** `count` messages of `body` through `session`, `window` in flight; resolves with those confirmed. */
async function sendAll(
  session: Session,
  body: Uint8Array,
  count: number,
  window: number,
  api: SenderApi,
): Promise<number> {
  if (api === 'sendMany') {
    function* messages(): Generator<Uint8Array> {
      for (let i = 0; i < count; i++) yield body;
    }
    const delivered = await session.sendMany(messages(), {
      contentType: 'text/plain',
      maxPending: window,
    });
    return delivered.messages;
  }
  let sent = 0;
  let confirmed = 0;
  let wake: (() => void) | undefined;
  const confirm = (): void => {
    confirmed++;
    wake?.();
  };
  while (sent < count) {
    if (sent - confirmed < window) {
      sent++;
      session.send(body, { contentType: 'text/plain' }).then(confirm, (e: unknown) => {
        console.error(e);
        process.exit(1);
      });
      continue;
    }
    await new Promise<void>((resolve) => (wake = resolve));
  }
  while (confirmed < count) await new Promise<void>((resolve) => (wake = resolve));
  return confirmed;
}

/**
 * MSRP: `window` messages in flight, each one done when its 200 comes; `warmup` of them first,
 * untimed (V8 compiles a fresh endpoint's hot path meanwhile), as the raw source does.
 */
async function msrpSender(
  to: MsrpUri,
  count: number,
  warmup: number,
  window: number,
  api: SenderApi,
): Promise<void> {
  const endpoint = new Endpoint();
  const session = endpoint.createSession();
  await session.connect([to]);
  const body = new Uint8Array(MESSAGE_BYTES).fill(0x61);
  // BENCH_HEAP_PROFILE=DIR: what the sender allocates per message, short-lived objects included.
  const heap = await startHeapSampling(`small-sender-${api}`);
  const warm = performance.now();
  if (warmup > 0) await sendAll(session, body, warmup, window, api);
  const warmupMs = performance.now() - warm;
  const spent = measuring();
  const gcs = gcWatch();
  const confirmed = await sendAll(session, body, count, window, api);
  const done = spent();
  await heap?.stop();
  report({ event: 'done', count: confirmed, ...done, gc: gcs(), warmupMs });
  await endpoint.close();
}

process.once('message', (cmd: SmallCommand) => {
  const run =
    cmd.role === 'raw-echo'
      ? echo(cmd.wire, cmd.warmup)
      : cmd.role === 'raw-source'
        ? source(cmd.wire, cmd.port, cmd.count, cmd.warmup, cmd.window)
        : cmd.role === 'msrp-receiver'
          ? msrpReceiver(cmd.count, cmd.warmup, cmd.api)
          : msrpSender(cmd.to, cmd.count, cmd.warmup, cmd.window, cmd.api);
  run.then(
    () => process.disconnect(),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
