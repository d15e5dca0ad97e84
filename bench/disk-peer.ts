// The raw-TCP disk-to-disk baseline of the CLI benchmark, one role per process:
//   node disk-peer.js source FILE    listens on 127.0.0.1:0, prints "port N", writes FILE to the
//                                    one connection it takes, and exits
//   node disk-peer.js sink PORT OUT  dials 127.0.0.1:PORT, writes what it reads to OUT, prints
//                                    "saved N" and exits
// The least work a disk-to-disk copy needs, as `nc` does it: no framing, no hash, and the sink
// reads into one buffer that it writes out before the next read (`onread`, `writeSync`), as
// `msrp listen` reads into reused buffers. A sink piping the socket into a file stream took a
// fresh 64 KiB buffer a read, and the kernel faulted their pages in anew whenever the allocator
// had given freed ones back: 1 GiB, 3 alternated runs, 2.37-2.88 s with 11,800-26,600 page
// faults against 1.76-2.05 s with ~800.
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { pipeline } from 'node:stream/promises';

const [role, a, b] = process.argv.slice(2);
if (role === 'source' && a) {
  const server = createServer((socket) => {
    server.close();
    pipeline(createReadStream(a, { highWaterMark: 64 * 1024 }), socket).catch((e: unknown) => {
      process.stderr.write(`source: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address && typeof address === 'object') process.stdout.write(`port ${address.port}\n`);
  });
} else if (role === 'sink' && a && b) {
  const fd = openSync(b, 'w');
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let bytes = 0;
  const socket = connect({
    port: Number(a),
    host: '127.0.0.1',
    onread: {
      buffer,
      callback: (n) => {
        // Written whole before the next read lands in the same buffer.
        for (let at = 0; at < n;) at += writeSync(fd, buffer, at, n - at);
        bytes += n;
        return true;
      },
    },
  });
  socket.on('end', () => {
    closeSync(fd);
    process.stdout.write(`saved ${bytes}\n`);
    socket.end();
  });
  socket.on('error', (e) => {
    process.stderr.write(`sink: ${e.message}\n`);
    process.exitCode = 1;
  });
} else {
  process.stderr.write('usage: disk-peer.js source FILE | sink PORT OUT\n');
  process.exitCode = 2;
}
