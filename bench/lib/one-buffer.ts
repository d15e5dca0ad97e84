// The two ends of the benches' raw-TCP baselines (transfer, its MSRP floor, the CLI's disk copy):
// the sending end listens for one connection; the reading end dials it and reads into one buffer,
// used again for every read, as an MSRP connection reads into reused ones (`onread`). Node's
// own reads take a fresh 64 KiB buffer each, and the kernel faults their pages in anew
// whenever the allocator has given the freed ones back. 1 GiB: in the slow runs (440-1,100
// MB/s) such a sink took 27,000-58,000 page faults and 0.75-2.5 s of CPU; reading into one
// buffer, 300-500 faults and 0.23-0.4 s, and no slow run in 20 (1,807-3,662 MB/s). The
// baselines had run fast or slow by run, and every ratio with them. The disk copy: 2.37-2.88 s
// with 11,800-26,600 faults piping into a file stream, 1.76-2.05 s with ~800.
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** Listens on 127.0.0.1 (telling `listening` its port) for one connection, no Nagle delay. */
export async function acceptOne(listening: (port: number) => void): Promise<Socket> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  listening((server.address() as AddressInfo).port);
  const [socket] = (await once(server, 'connection')) as [Socket];
  server.close();
  socket.setNoDelay(true);
  return socket;
}

/**
 * Dials 127.0.0.1:`port` and hands each read to `read` as the first `n` bytes of one buffer,
 * read into again once `read` returns: it must be done with them by then.
 */
export function dialIntoOneBuffer(port: number, read: (n: number, buffer: Buffer) => void): Socket {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const callback = (n: number): boolean => {
    read(n, buffer);
    return true;
  };
  return connect({ port, host: '127.0.0.1', noDelay: true, onread: { buffer, callback } });
}
