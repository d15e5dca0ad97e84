// A loopback TCP proxy between an MSRP sender and its peer that reads the MSRP framing as it
// passes (RFC 4975 §7: start line, headers, body up to the end-line), unchanged: the Byte-Range
// of every SEND chunk, and which chunks the other side answered 200. It can drop the
// connection at any moment (a cut network), and move to another target (a restarted peer).
// Written apart from msrp-core's parser, so it checks the library from the outside.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A SEND chunk seen on the wire. */
export interface TappedChunk {
  /** Which connection through the proxy carried it (0, 1, ...). */
  readonly connection: number;
  /** Direction: 'out' from the connecting side (the sender) to the target, 'in' back. */
  readonly direction: 'out' | 'in';
  readonly transactionId: string;
  readonly messageId: string;
  /** Byte-Range start (1-based) and total (NaN for `*`). */
  readonly start: number;
  readonly total: number;
  /** Body octets the chunk carried. */
  bodyBytes: number;
  /** The first 200 bytes of the body (for small negotiation messages). */
  head: string;
  /** The end-line flag, once seen. */
  flag?: '$' | '+' | '#';
  /** The status the other side answered, once seen. */
  status?: number;
}

const CRLF = Buffer.from('\r\n');
const BLANK = Buffer.from('\r\n\r\n');

/** Reads one direction of an MSRP connection. */
class FrameReader {
  #buf: Buffer = Buffer.alloc(0);
  #chunk: TappedChunk | undefined;
  /** The end-line to look for in body state: `\r\n-------tid`. */
  #marker: Buffer | undefined;

  constructor(
    private readonly onChunk: (chunk: TappedChunk) => void,
    private readonly onResponse: (transactionId: string, status: number) => void,
    private readonly make: (tid: string, headers: Map<string, string>) => TappedChunk | undefined,
  ) {}

  push(data: Buffer): void {
    this.#buf = this.#buf.length === 0 ? data : Buffer.concat([this.#buf, data]);
    while (this.#step());
  }

  #step(): boolean {
    if (this.#marker) return this.#body();
    const lineEnd = this.#buf.indexOf(CRLF);
    if (lineEnd < 0) return false;
    const start = this.#buf.toString('latin1', 0, lineEnd).split(' ');
    const tid = start[1] ?? '';
    const endLine = Buffer.from(`\r\n-------${tid}`);
    const blank = this.#buf.indexOf(BLANK, lineEnd);
    const end = this.#buf.indexOf(endLine, lineEnd);
    // Without a blank line before the end-line there is no body.
    if (end >= 0 && (blank < 0 || end < blank)) {
      if (end + endLine.length + 3 > this.#buf.length) return false;
      const status = Number(start[2]);
      if (Number.isInteger(status)) this.onResponse(tid, status);
      this.#buf = this.#buf.subarray(end + endLine.length + 3);
      return true;
    }
    if (blank < 0) return false;
    const headers = new Map<string, string>();
    for (const line of this.#buf.toString('latin1', lineEnd + 2, blank).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    this.#chunk = start[2] === 'SEND' ? this.make(tid, headers) : undefined;
    if (this.#chunk) this.onChunk(this.#chunk);
    this.#marker = endLine;
    this.#buf = this.#buf.subarray(blank + BLANK.length);
    return true;
  }

  #body(): boolean {
    const marker = this.#marker!;
    const at = this.#buf.indexOf(marker);
    if (at < 0) {
      // Keep what might be the start of the end-line.
      const keep = Math.min(this.#buf.length, marker.length + 2);
      this.#count(this.#buf.length - keep);
      this.#buf = this.#buf.subarray(this.#buf.length - keep);
      return false;
    }
    if (at + marker.length + 3 > this.#buf.length) return false;
    this.#count(at); // the end-line now starts the buffer
    const flag = this.#buf.toString('latin1', marker.length, marker.length + 1);
    if (this.#chunk) this.#chunk.flag = flag as '$' | '+' | '#';
    this.#buf = this.#buf.subarray(marker.length + 3);
    this.#marker = undefined;
    this.#chunk = undefined;
    return true;
  }

  #count(n: number): void {
    if (n <= 0) return;
    const chunk = this.#chunk;
    if (chunk) {
      if (chunk.total <= 10240 && chunk.head.length < 200)
        chunk.head += this.#buf.toString('latin1', 0, Math.min(n, 200 - chunk.head.length));
      chunk.bodyBytes += n;
    }
    this.#buf = this.#buf.subarray(n);
  }
}

/** The proxy: see the file comment. */
export class MsrpTap {
  /** Every SEND chunk seen, in order, both directions. */
  readonly chunks: TappedChunk[] = [];
  /** Where connections go: 127.0.0.1:`target`. */
  target: number;
  /**
   * Where the next connections are cut: after `after` bytes of theirs in `direction` (all of
   * them passed, read and counted), as a network that fails at that very byte. None: never.
   */
  cut: { readonly direction: 'out' | 'in'; readonly after: number } | undefined;
  port = 0;
  connections = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #waiters = new Set<() => void>();

  constructor(target: number) {
    this.target = target;
    this.#server = createServer((client) => this.#relay(client));
  }

  async listen(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  #relay(client: Socket): void {
    const connection = this.connections++;
    const upstream = connect(this.target, '127.0.0.1');
    const pending = new Map<string, TappedChunk>();
    const reader = (direction: 'out' | 'in'): FrameReader =>
      new FrameReader(
        (chunk) => {
          this.chunks.push(chunk);
          pending.set(`${direction}:${chunk.transactionId}`, chunk);
        },
        // A response answers a request that went the other way.
        (tid, status) => {
          const key = `${direction === 'out' ? 'in' : 'out'}:${tid}`;
          const chunk = pending.get(key);
          if (chunk) {
            chunk.status = status;
            pending.delete(key);
          }
        },
        (tid, headers) => {
          const range = /^(\d+)-(\d+|\*)\/(\d+|\*)$/.exec(headers.get('byte-range') ?? '1-*/*');
          return {
            connection,
            direction,
            transactionId: tid,
            messageId: headers.get('message-id') ?? '',
            start: Number(range?.[1] ?? 1),
            total: Number(range?.[3]),
            bodyBytes: 0,
            head: '',
          };
        },
      );
    const out = reader('out');
    const back = reader('in');
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
      s.on('error', () => undefined);
    }
    const cut = this.cut;
    const passed = { out: 0, in: 0 };
    // Read before forwarding: a cut then never forwards bytes the tap has not counted.
    const pass = (direction: 'out' | 'in', reader: FrameReader, to: Socket) => (d: Buffer) => {
      const room = cut?.direction === direction ? cut.after - passed[direction] : Infinity;
      const part = room < d.length ? d.subarray(0, Math.max(room, 0)) : d;
      passed[direction] += part.length;
      if (part.length > 0) {
        reader.push(part);
        to.write(part);
      }
      if (room <= d.length) for (const s of [client, upstream]) s.destroy();
      this.#wake();
    };
    client.on('data', pass('out', out, upstream));
    upstream.on('data', pass('in', back, client));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /** Drops every connection through the proxy at once, as a cut network would. */
  drop(): void {
    for (const s of this.#sockets) s.destroy();
  }

  /** Waits until `done()` holds, re-checking as bytes pass; throws after `ms`. */
  async until(done: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`tap: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 100);
        this.#waiters.add(wake);
      });
    }
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  async close(): Promise<void> {
    this.drop();
    this.#server.close();
    await once(this.#server, 'close');
  }
}
