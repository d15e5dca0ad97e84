// The relay benchmark's processes (bench/relay-peer.ts) that stand in the relay's place or
// measure against it: a plain TCP byte pipe, the minimal forwarder, an idle-socket holder.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { listenPipe } from './lib/byte-pipe.js';
import { listenFloor } from './relay-floor.js';
import { command, heapMiB, report, rssMiB, settle } from './relay-peer-ipc.js';

/** The cheapest possible proxy (bench/lib/byte-pipe.ts): the relay's baseline. */
export async function pipeRole(targetPort: number): Promise<void> {
  const { port, stop } = await listenPipe(targetPort);
  report({ event: 'ready', port });
  await command('stop');
  stop();
}

/** The floor of relaying in JS: see relay-floor.ts. */
export async function floorRole(): Promise<void> {
  const { uri, stop } = await listenFloor();
  report({ event: 'ready', uri });
  await command('stop');
  stop();
}

/** Holds idle plain TCP connections: the baseline of memory per connection. */
export async function holdRole(count: number): Promise<void> {
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
