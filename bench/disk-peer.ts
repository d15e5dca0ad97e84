// The raw-TCP disk-to-disk baseline of the CLI benchmark, one role per process:
//   node disk-peer.js source FILE    listens on 127.0.0.1:0, prints "port N", writes FILE to the
//                                    one connection it takes, and exits
//   node disk-peer.js sink PORT OUT  dials 127.0.0.1:PORT, writes what it reads to OUT, prints
//                                    "saved N" and exits
// The least work a disk-to-disk copy needs, as `nc` does it: no framing, no hash, and the sink
// writes each read out before the next lands in the same buffer (lib/one-buffer.ts), as
// `msrp listen` reads into reused buffers.
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { acceptOne, dialIntoOneBuffer } from './lib/one-buffer.js';

const [role, a, b] = process.argv.slice(2);
if (role === 'source' && a) {
  const socket = await acceptOne((port) => process.stdout.write(`port ${port}\n`));
  await pipeline(createReadStream(a, { highWaterMark: 64 * 1024 }), socket).catch((e: unknown) => {
    process.stderr.write(`source: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
} else if (role === 'sink' && a && b) {
  const fd = openSync(b, 'w');
  let bytes = 0;
  const socket = dialIntoOneBuffer(Number(a), (n, buffer) => {
    for (let at = 0; at < n;) at += writeSync(fd, buffer, at, n - at);
    bytes += n;
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
