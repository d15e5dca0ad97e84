// The raw-TCP disk-to-disk baseline of the CLI benchmark, one role per process:
//   node disk-peer.js sink OUT      listens on 127.0.0.1:0, prints "port N", writes one
//                                   connection's bytes to OUT, prints "saved N" and exits
//   node disk-peer.js source PORT FILE   reads FILE and writes it to 127.0.0.1:PORT
// The least work a disk-to-disk copy needs: streams with backpressure, no framing, no hash.
import { createReadStream, createWriteStream } from 'node:fs';
import { createServer, connect } from 'node:net';
import { pipeline } from 'node:stream/promises';

const [role, a, b] = process.argv.slice(2);
if (role === 'sink' && a) {
  const server = createServer((socket) => {
    server.close();
    let bytes = 0;
    socket.on('data', (d: Buffer) => (bytes += d.length));
    pipeline(socket, createWriteStream(a)).then(
      () => process.stdout.write(`saved ${bytes}\n`),
      (e: unknown) => {
        process.stderr.write(`sink: ${(e as Error).message}\n`);
        process.exitCode = 1;
      },
    );
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address && typeof address === 'object') process.stdout.write(`port ${address.port}\n`);
  });
} else if (role === 'source' && a && b) {
  const socket = connect(Number(a), '127.0.0.1');
  await pipeline(createReadStream(b, { highWaterMark: 64 * 1024 }), socket);
} else {
  process.stderr.write('usage: disk-peer.js sink OUT | source PORT FILE\n');
  process.exitCode = 2;
}
