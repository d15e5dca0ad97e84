// Many relay sessions over few connections, for the relay bench's 100,000-session figure: a
// client may AUTH several times on one connection, each time with another From-Path URI, and
// gets one relay session for each (RFC 4976 §6.1; the relay's maxSessionsPerConnection).
// Written on the wire by hand: an Endpoint holds one relay session per connection.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import {
  answerChallenge,
  formatAuthHeader,
  formatUri,
  newTransactionId,
  parseAuthHeader,
} from '@msrp-ts/msrp-core/internal';

const END = /\r\n-------([A-Za-z0-9.+%=-]+)[$#+]\r\n/;

/** One connection to the relay: AUTH requests sent one at a time, their responses read back. */
class AuthLink {
  readonly socket: Socket;
  #text = '';
  #waiting: ((frame: string) => void) | undefined;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (s: string) => {
      this.#text += s;
      const m = END.exec(this.#text);
      if (!m) return;
      const frame = this.#text.slice(0, m.index + m[0].length);
      this.#text = this.#text.slice(m.index + m[0].length);
      this.#waiting?.(frame);
    });
  }

  async auth(relay: string, from: string, authorization?: string): Promise<string> {
    const tid = newTransactionId();
    const frame =
      `MSRP ${tid} AUTH\r\nTo-Path: ${relay}\r\nFrom-Path: ${from}\r\n` +
      (authorization ? `Authorization: ${authorization}\r\n` : '') +
      `-------${tid}$\r\n`;
    const answer = new Promise<string>((resolve) => (this.#waiting = resolve));
    this.socket.write(frame);
    return answer;
  }
}

/** The header `name` of a response frame. */
function header(frame: string, name: string): string | undefined {
  const m = new RegExp(`\\r\\n${name}: ([^\\r]*)`, 'i').exec(frame);
  return m?.[1];
}

/**
 * Opens `connections` connections to `relay` and authenticates `perConnection` relay sessions
 * on each as `account`, `width` connections at a time. Returns the sockets, to close later.
 */
export async function sharedSessions(
  relay: MsrpUri,
  account: { username: string; password: string },
  connections: number,
  perConnection: number,
  width = 50,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const relayText = formatUri(relay);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < connections) {
      const c = next++;
      const socket = connect({ host: relay.host, port: relay.port! });
      await once(socket, 'connect');
      sockets.push(socket);
      const link = new AuthLink(socket);
      for (let s = 0; s < perConnection; s++) {
        const from = `msrp://127.0.0.1:9/c${c}s${s}x;tcp`;
        const challenge = await link.auth(relayText, from);
        const www = header(challenge, 'WWW-Authenticate');
        const parsed = www === undefined ? undefined : parseAuthHeader(www);
        if (!parsed) throw new Error(`no challenge: ${challenge.slice(0, 200)}`);
        const answer = answerChallenge([parsed], account, relayText);
        const ok = await link.auth(relayText, from, formatAuthHeader(answer));
        if (!/^MSRP \S+ 200/.test(ok)) throw new Error(`AUTH refused: ${ok.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return sockets;
}
