// One process of the relay benchmark, driven over IPC by bench/relay.ts: the relay, a plain
// TCP byte pipe, a crowd of idle authenticated clients, an idle-socket holder, or an MSRP
// sender or receiver that talks directly, through the pipe, or through the relay.
import { once } from 'node:events';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { startHeapSampling } from './lib/heap-sampling.js';
import { dialTcp, Endpoint, type EndpointOptions, type MsrpUri } from '@msrp-ts/msrp-core';
import { adaptYoungGeneration, Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';
import { generated } from './lib/generated.js';
import { listenFloor } from './relay-floor.js';
import { listenPipe } from './lib/byte-pipe.js';
import { sharedSessions } from './lib/shared-sessions.js';
import { USERS } from './lib/users.js';

/** How the sender reaches the receiver; `relay-ws`: both reach the relay over WebSocket. */
export type Route = 'direct' | 'pipe' | 'relay' | 'relay-ws';

/** Commands the parent sends. */
export type RelayPeerCommand =
  | { role: 'relay'; /** Listen on WebSocket too (RFC 7977). */ ws?: boolean }
  | { role: 'pipe'; targetPort: number }
  /** A minimal forwarder that parses only the paths (bench/relay-floor.ts), in the relay's place. */
  | { role: 'floor' }
  | { role: 'hold'; count: number }
  | {
      role: 'crowd';
      relay: MsrpUri;
      count: number;
      sockets?: boolean;
      port?: number;
      /** Relay sessions per connection (`count` connections): raw AUTHs, see shared-sessions.ts. */
      perConnection?: number;
    }
  | { role: 'receiver'; relay?: MsrpUri; chunkSize: number }
  | {
      role: 'sender';
      route: Route;
      to: MsrpUri[];
      relay?: MsrpUri;
      pipePort?: number;
      chunkSize: number;
      bytes: number;
      /** Send this many small messages instead of `bytes` in one message. */
      messages?: number;
      /** Milliseconds between chat lines sent beside the transfer (their send→200 is timed). */
      chatEvery?: number;
      /** Use the library's default window instead of the bench's 8 MiB. */
      defaultWindow?: boolean;
    };

/** What a peer reports back. */
export type RelayPeerReport =
  | { event: 'ready'; port?: number; uri?: MsrpUri; wsUri?: MsrpUri; path?: MsrpUri[] }
  | { event: 'rss'; rssMiB: number; /** JS heap used. */ heapMiB: number }
  | {
      event: 'done';
      bytes: number;
      ms: number;
      messages?: number;
      maxRssMiB: number;
      /** CPU time spent on the work, in ms. */
      cpuMs: number;
      /** Send→200 of each chat line sent beside the transfer, in ms. */
      chatMs?: number[];
    }
  /**
   * CPU time (user + system) this process has used so far, in ms, its peak RSS and its RSS
   * now: the answer to 'cpu'.
   */
  | {
      event: 'cpu';
      ms: number;
      maxRssMiB: number;
      rssMiB: number;
      /** JS heap used now (garbage included). */
      heapMiB: number;
      /** A relay's event-loop delay since 'watch' (how late it ran timers), in ms. */
      loopMs?: { p99: number; max: number };
      /** A relay's GC pauses since 'watch': their total and the longest, in ms. */
      gcMs?: { total: number; max: number };
    }
  /** A receiver's answer to 'chat': send→arrival of each chat line it got, in ms. */
  | { event: 'chat'; ms: number[] };

const report = (r: RelayPeerReport): void => {
  process.send!(r);
};
/** Milliseconds since the epoch, to the microsecond: comparable between processes. */
const epochMs = (): number => performance.timeOrigin + performance.now();
const rssMiB = (): number => process.memoryUsage().rss / 1024 / 1024;
const heapMiB = (): number => process.memoryUsage().heapUsed / 1024 / 1024;
const maxRssMiB = (): number => process.resourceUsage().maxRSS / 1024;
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Waits for the parent's next message of `type`. */
function command(type: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (m: { type?: string }): void => {
      if (m.type !== type) return;
      process.off('message', listener);
      resolve();
    };
    process.on('message', listener);
  });
}

/** Settles memory before a reading: two GCs when exposed, and a pause. */
async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The relay's event-loop delay and GC pauses, watched from its first 'watch', reset by each. */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let loopWatched = false;
/** This process is a relay: 'watch' starts its loop and GC figures. */
let isRelay = false;
const gcPauses = { total: 0, max: 0 };

/**
 * Starts watching the relay's event loop and GC pauses (at the first 'watch'). Not before: a
 * GC observer costs the relay a PerformanceEntry per scavenge (~1 µs per forwarded 100-byte
 * message), which only the bench that reads the figures (relay-active) should pay.
 */
function watchRelay(): void {
  if (loopWatched) return;
  loopDelay.enable();
  loopWatched = true;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { duration } = entry;
      // Not the GCs the bench forces to read the live heap ('measure').
      const flags = (entry as { detail?: { flags?: number } }).detail?.flags ?? 0;
      if (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
      gcPauses.total += duration;
      gcPauses.max = Math.max(gcPauses.max, duration);
    }
  }).observe({ entryTypes: ['gc'] });
}

async function relayRole(ws: boolean): Promise<void> {
  isRelay = true;
  const relay = new Relay({
    credentials: new StaticCredentialStore(USERS),
    limits: {
      maxConnectionsPerAddress: 50_000,
      maxConnections: 50_000,
      // The memory bench's 100,000 sessions over 1,000 connections.
      maxSessionsPerConnection: 100,
    },
  });
  // As the msrp-relay command does (its flags come from its bin: peer-process.ts).
  adaptYoungGeneration({ work: () => relay.stats.requestsForwarded });
  const uri = await relay.listen({ host: '127.0.0.1', port: 0 });
  const wsUri = ws
    ? await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' })
    : undefined;
  await settle();
  report({ event: 'rss', rssMiB: rssMiB(), heapMiB: heapMiB() });
  report({ event: 'ready', uri, ...(wsUri && { wsUri }) });
  // 'measure' (the memory bench) may come, 'stop' always does: a relay told to stop before
  // any 'measure' stops at once (it used to wait for one, and was killed 5 s later).
  const measure = (m: { type?: string }): void => {
    if (m.type === 'measure')
      void settle().then(() => report({ event: 'rss', rssMiB: rssMiB(), heapMiB: heapMiB() }));
  };
  process.on('message', measure);
  // BENCH_HEAP_PROFILE=DIR: every allocation the relay makes, short-lived ones included.
  const heap = await startHeapSampling('relay');
  await command('stop');
  process.off('message', measure);
  await heap?.stop();
  await relay.close(1000);
}

/** The cheapest possible proxy (bench/lib/byte-pipe.ts): the relay's baseline. */
async function pipeRole(targetPort: number): Promise<void> {
  const { port, stop } = await listenPipe(targetPort);
  report({ event: 'ready', port });
  await command('stop');
  stop();
}

/** The floor of relaying in JS: see relay-floor.ts. */
async function floorRole(): Promise<void> {
  const { uri, stop } = await listenFloor();
  report({ event: 'ready', uri });
  await command('stop');
  stop();
}

/** Holds idle plain TCP connections: the baseline of memory per connection. */
async function holdRole(count: number): Promise<void> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  await settle();
  report({ event: 'rss', rssMiB: rssMiB(), heapMiB: heapMiB() });
  report({ event: 'ready', port: (server.address() as AddressInfo).port });
  await command('measure');
  while (sockets.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
  await settle();
  report({ event: 'rss', rssMiB: rssMiB(), heapMiB: heapMiB() });
  await command('stop');
  for (const s of sockets) s.destroy();
  server.close();
}

/** Many clients, each on its own connection: authenticated to the relay, or bare sockets. */
async function crowdRole(cmd: Extract<RelayPeerCommand, { role: 'crowd' }>): Promise<void> {
  const t0 = performance.now();
  const cpu0 = cpuMs();
  const endpoints: Endpoint[] = [];
  const sockets: Socket[] = [];
  if (cmd.perConnection !== undefined)
    sockets.push(...(await sharedSessions(cmd.relay, USERS[0]!, cmd.count, cmd.perConnection)));
  let next = cmd.perConnection === undefined ? 0 : cmd.count;
  const worker = async (): Promise<void> => {
    while (next < cmd.count) {
      const i = next++;
      if (cmd.sockets) {
        const socket = connect({ host: '127.0.0.1', port: cmd.port! });
        await once(socket, 'connect');
        sockets.push(socket);
        continue;
      }
      const user = USERS[i % 2]!;
      const endpoint = new Endpoint({ relays: [{ uri: cmd.relay, ...user }] });
      endpoints.push(endpoint);
      await endpoint.authenticate();
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  const ms = performance.now() - t0;
  report({ event: 'done', bytes: 0, ms, maxRssMiB: maxRssMiB(), cpuMs: cpuMs() - cpu0 });
  await command('stop');
  for (const s of sockets) s.destroy();
  await Promise.all(endpoints.map((e) => e.close()));
}

async function receiverRole(cmd: Extract<RelayPeerCommand, { role: 'receiver' }>): Promise<void> {
  const options: EndpointOptions = { session: { chunkSize: cmd.chunkSize } };
  const endpoint = new Endpoint(
    cmd.relay ? { ...options, relays: [{ uri: cmd.relay, ...USERS[1]! }] } : options,
  );
  if (cmd.relay) await endpoint.authenticate();
  else await endpoint.listen({ host: '127.0.0.1', port: 0 });
  const session = endpoint.createSession();
  session.accept();
  report({ event: 'ready', uri: session.localUri, path: [...session.localPath] });
  // Chat lines carry the time they were sent (see chatBeside): their send→arrival, in ms.
  const chat: number[] = [];
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'chat') report({ event: 'chat', ms: chat.splice(0) });
  });
  // Read until the parent stops this process.
  for await (const message of session) {
    // Drained beside the loop: a chat line is looked at when it comes, not after the file.
    if (message.stream) void drain(message.stream);
    else if (message.body && message.body.length < 64) {
      const text = Buffer.from(message.body).toString();
      if (text.startsWith('ping ')) chat.push(epochMs() - Number(text.slice(5)));
    }
  }
  // The sender may close first: stay connected, so the parent can still ask for 'cpu'.
  await command('stop');
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<void> {
  try {
    for await (const piece of stream) void piece;
  } catch {
    // An aborted message: nothing to read any more.
  }
}

async function senderRole(cmd: Extract<RelayPeerCommand, { role: 'sender' }>): Promise<void> {
  const options: EndpointOptions = {
    session: cmd.defaultWindow
      ? { chunkSize: cmd.chunkSize }
      : { chunkSize: cmd.chunkSize, maxInFlightBytes: 8 * 1024 * 1024, maxInFlightChunks: 256 },
  };
  if (cmd.relay) options.relays = [{ uri: cmd.relay, ...USERS[0]! }];
  if (cmd.route === 'pipe') {
    // Every connection goes to the pipe, which leads to the receiver.
    options.dialers = { msrp: (uri, o) => dialTcp({ ...uri, port: cmd.pipePort! }, o) };
  }
  const endpoint = new Endpoint(options);
  if (cmd.relay) await endpoint.authenticate();
  const session = endpoint.createSession();
  await session.connect(cmd.to);
  // BENCH_HEAP_PROFILE=DIR: every allocation the sender makes over the work.
  const heap = await startHeapSampling(`sender-${cmd.route}`);
  const t0 = performance.now();
  const cpu0 = cpuMs();
  const chat = chatBeside(session, cmd.chatEvery ?? 0);
  let bytes = 0;
  if (cmd.messages !== undefined) {
    // Small messages, a window of them in flight, each confirmed by a 200.
    const body = Buffer.alloc(100, 0x62);
    const window = 64;
    let sent = 0;
    const lane = async (): Promise<void> => {
      while (sent < cmd.messages!) {
        sent++;
        // Confirmed end to end by the receiver's REPORT, not by the first hop's 200.
        await session.send(body, { contentType: 'text/plain', successReport: true });
        bytes += body.length;
      }
    };
    await Promise.all(Array.from({ length: window }, lane));
  } else {
    const delivery = await session.send(generated(cmd.bytes, Math.max(64 * 1024, cmd.chunkSize)), {
      size: cmd.bytes,
      successReport: true,
      // Kamailio answers each chunk as it takes it, so the sender runs ahead of the receiver
      // by whatever Kamailio queues; on a loaded machine the REPORT came over 30 s (the
      // default) after the last 200, and the round failed though every byte arrived.
      reportTimeout: 300_000,
    });
    bytes = delivery.bytes;
  }
  const ms = performance.now() - t0;
  await heap?.stop();
  const chatMs = await chat.stop();
  report({
    event: 'done',
    bytes,
    ms,
    ...(cmd.messages !== undefined && { messages: cmd.messages }),
    maxRssMiB: maxRssMiB(),
    cpuMs: cpuMs() - cpu0,
    ...(cmd.chatEvery && { chatMs }),
  });
  await endpoint.close();
}

/** Sends a chat line every `every` ms (none when 0) until stopped; returns their send→200 times. */
function chatBeside(
  session: ReturnType<Endpoint['createSession']>,
  every: number,
): { stop(): Promise<number[]> } {
  const times: number[] = [];
  let flowing = every > 0;
  const loop = (async () => {
    while (flowing) {
      await new Promise((resolve) => setTimeout(resolve, every));
      const t = performance.now();
      const ok = await session.send(`ping ${epochMs()}`).then(
        () => true,
        () => false,
      );
      if (ok && flowing) times.push(performance.now() - t);
    }
  })();
  return {
    async stop() {
      flowing = false;
      await loop;
      return times;
    },
  };
}

// The parent ends receivers with SIGTERM when profiling: exit cleanly, so the profile is written.
process.once('SIGTERM', () => process.exit(0));

// Any role answers 'cpu' with its CPU time: CPU per byte does not depend on what else the
// machine runs, where rates do. 'watch' starts the relay's event-loop and GC figures afresh.
process.on('message', (m: { type?: string }) => {
  if (m.type === 'watch' && isRelay) {
    watchRelay();
    loopDelay.reset();
    gcPauses.total = gcPauses.max = 0;
  }
  if (m.type !== 'cpu') return;
  const loopMs = loopWatched
    ? { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 }
    : undefined;
  const gcMs = loopWatched ? { ...gcPauses } : undefined;
  report({
    event: 'cpu',
    ms: cpuMs(),
    maxRssMiB: maxRssMiB(),
    rssMiB: rssMiB(),
    heapMiB: heapMiB(),
    ...(loopMs && { loopMs }),
    ...(gcMs && { gcMs }),
  });
});

process.once('message', (cmd: RelayPeerCommand) => {
  const run =
    cmd.role === 'relay'
      ? relayRole(cmd.ws === true)
      : cmd.role === 'pipe'
        ? pipeRole(cmd.targetPort)
        : cmd.role === 'floor'
          ? floorRole()
          : cmd.role === 'hold'
            ? holdRole(cmd.count)
            : cmd.role === 'crowd'
              ? crowdRole(cmd)
              : cmd.role === 'receiver'
                ? receiverRole(cmd)
                : senderRole(cmd);
  run.then(
    () => process.disconnect(),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
