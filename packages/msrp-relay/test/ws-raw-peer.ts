// A WebSocket client written by hand on a TCP socket, for the tests of peers that break RFC
// 6455 or RFC 7977 in ways the `ws` package would never let us: any opcode, fragments and
// control frames in any order, unmasked frames, reserved bits, odd close codes.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { eventually, onCleanup } from './helpers.js';

/** RFC 6455 §5.2 opcodes. */
export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export interface FrameOptions {
  fin?: boolean;
  /** The three reserved bits, as the high nibble's low bits (RFC 6455 §5.2). */
  rsv?: number;
  /** A client MUST mask (RFC 6455 §5.3); false sends a frame the server must refuse. */
  mask?: boolean;
}

/** One WebSocket frame of the server's. */
export interface ServerFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/** A hand-made WebSocket client (destroyed after the test). */
export class RawWs {
  readonly socket: Socket;
  readonly frames: ServerFrame[] = [];
  /** Whether the TCP connection has closed. */
  ended = false;
  #buffer = Buffer.alloc(0);

  private constructor(socket: Socket, rest: Buffer) {
    this.socket = socket;
    socket.on('data', (data: Buffer) => this.#read(data));
    socket.on('close', () => (this.ended = true));
    this.#read(rest);
  }

  /** Upgrades a TCP connection to `port`; throws the status line when it is not 101. */
  static async connect(port: number, protocol: string | undefined = 'msrp'): Promise<RawWs> {
    const socket = connect(port, '127.0.0.1');
    onCleanup(() => socket.destroy());
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
        (protocol === undefined ? '' : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
        '\r\n',
    );
    let head = Buffer.alloc(0);
    for (;;) {
      const [data] = (await once(socket, 'data')) as [Buffer];
      head = Buffer.concat([head, data]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) continue;
      const response = head.subarray(0, end).toString();
      if (!response.startsWith('HTTP/1.1 101')) throw new Error(response.split('\r\n')[0]);
      return new RawWs(socket, head.subarray(end + 4));
    }
  }

  /** Sends one frame. */
  frame(opcode: number, payload: Uint8Array | string = '', options: FrameOptions = {}): void {
    const data = Buffer.from(payload);
    const mask = options.mask !== false;
    const length = data.length;
    const header: number[] = [
      ((options.fin === false ? 0 : 1) << 7) | ((options.rsv ?? 0) << 4) | opcode,
    ];
    const maskBit = mask ? 0x80 : 0;
    if (length < 126) header.push(maskBit | length);
    else if (length < 65536) header.push(maskBit | 126, length >> 8, length & 0xff);
    else {
      header.push(maskBit | 127, 0, 0, 0, 0);
      header.push(
        (length >>> 24) & 0xff,
        (length >>> 16) & 0xff,
        (length >>> 8) & 0xff,
        length & 0xff,
      );
    }
    if (!mask) {
      this.socket.write(Buffer.concat([Buffer.from(header), data]));
      return;
    }
    const key = randomBytes(4);
    const masked = Buffer.from(data.map((byte, i) => byte ^ key[i & 3]!));
    this.socket.write(Buffer.concat([Buffer.from(header), key, masked]));
  }

  /** A close frame with `code` and `reason` (a code of undefined: an empty payload). */
  close(code?: number, reason = ''): void {
    if (code === undefined) return this.frame(OP.close);
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.frame(OP.close, payload);
  }

  /** The code of the server's close frame, if one came (1005 for one without a code). */
  get closeCode(): number | undefined {
    const close = this.frames.find((f) => f.opcode === OP.close);
    if (!close) return undefined;
    return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005;
  }

  /** The server's data messages (single-frame: the relay never fragments), as text. */
  get messages(): string[] {
    return this.frames
      .filter((f) => f.opcode === OP.binary || f.opcode === OP.text)
      .map((f) => f.payload.toString('latin1'));
  }

  /** Waits for the response `MSRP <transactionId> <code>`; returns the code. */
  async status(transactionId: string, timeout = 5000): Promise<number> {
    const line = (m: string) => new RegExp(`^MSRP ${transactionId} (\\d{3})`).exec(m);
    await eventually(
      () => this.messages.some((m) => line(m)),
      timeout,
      `${transactionId}'s response`,
    );
    return Number(line(this.messages.find((m) => line(m))!)![1]);
  }

  /** Waits for the TCP connection to close; returns the server's close code, if it sent one. */
  async closed(timeout = 5000): Promise<number | undefined> {
    await eventually(() => this.ended, timeout, 'the connection to close');
    return this.closeCode;
  }

  #read(data: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, data]);
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      let length = b[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + length) return;
      this.frames.push({
        fin: (b[0]! & 0x80) !== 0,
        opcode: b[0]! & 0x0f,
        payload: Buffer.from(b.subarray(at, at + length)),
      });
      this.#buffer = b.subarray(at + length);
    }
  }
}
