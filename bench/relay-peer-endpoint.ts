// The relay benchmark's MSRP endpoints (bench/relay-peer.ts): a crowd of idle authenticated
// clients, and a sender or receiver that talks directly, through the pipe or through the relay.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { dialTcp, Endpoint, type EndpointOptions } from '@msrp-ts/msrp-core';
import { generated } from './lib/generated.js';
import { startHeapSampling } from './lib/heap-sampling.js';
import { sharedSessions } from './lib/shared-sessions.js';
import { USERS } from './lib/users.js';
import { command, cpuMs, maxRssMiB, report, type RelayPeerCommand } from './relay-peer-ipc.js';

/** Milliseconds since the epoch, to the microsecond: comparable between processes. */
const epochMs = (): number => performance.timeOrigin + performance.now();

/** Many clients, each on its own connection: authenticated to the relay, or bare sockets. */
export async function crowdRole(cmd: Extract<RelayPeerCommand, { role: 'crowd' }>): Promise<void> {
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

export async function receiverRole(
  cmd: Extract<RelayPeerCommand, { role: 'receiver' }>,
): Promise<void> {
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

export async function senderRole(
  cmd: Extract<RelayPeerCommand, { role: 'sender' }>,
): Promise<void> {
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
