// A loopback TCP proxy in front of a WebSocket server that reads the frames the server sends
// (RFC 6455 §5.2) as they pass, unchanged, to the client: which were text (opcode 1) and
// which binary (opcode 2), and how each began. It sees the wire, so it needs no hook in the
// client under test.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

/** A data frame the server sent: its opcode and the start of its payload (latin1). */
export interface TappedFrame {
  readonly opcode: number;
  readonly head: string;
}

export interface WsTap {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** The text and binary frames the server sent so far, in order. */
  readonly frames: readonly TappedFrame[];
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, port 0, and forwards each connection to 127.0.0.1:`target`. */
export async function tapWebSocket(target: number): Promise<WsTap> {
  const frames: TappedFrame[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (s === client ? upstream : client).destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    let upgraded = false;
    upstream.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      if (!upgraded) {
        // The HTTP 101 answer comes first (RFC 6455 §4.2.2), then frames.
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        pending = pending.subarray(end + 4);
        upgraded = true;
      }
      for (;;) {
        const frame = nextFrame(pending);
        if (!frame) return;
        if (frame.opcode === 1 || frame.opcode === 2)
          frames.push({ opcode: frame.opcode, head: frame.payload.toString('latin1', 0, 400) });
        pending = pending.subarray(frame.length);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    frames,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The first whole frame of `buf` (RFC 6455 §5.2), or undefined until it is all there. */
function nextFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let size = buf[1]! & 0x7f;
  let offset = 2;
  if (size === 126) {
    if (buf.length < 4) return undefined;
    size = buf.readUInt16BE(2);
    offset = 4;
  } else if (size === 127) {
    if (buf.length < 10) return undefined;
    size = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const mask = masked ? buf.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (buf.length < offset + size) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + size));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  return { opcode, payload, length: offset + size };
}
