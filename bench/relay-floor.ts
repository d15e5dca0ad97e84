// The floor of relaying small messages in JS on this machine (issue 13): a minimal MSRP
// forwarder that parses only what forwarding needs — the start line, the To-Path and
// From-Path lines (RFC 4975 §7.1: the first two headers) and the end-line — rewrites the
// paths (RFC 4976 §7.1), copies the rest of each frame as bytes, answers each SEND with a 200
// and drops the next hop's 200s. Its AUTH grants a session to anyone, and it checks nothing
// else (no limits, no timeouts, no failure REPORTs): a measure of what the relay's work per
// message could come down to, never a relay.
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { MsrpUri } from '@msrp-ts/msrp-core';

const LF = 0x0a;
const SP = 0x20;

/** A client connection: its output, gathered in a slab and written once per read. */
interface Client {
  readonly socket: Socket;
  /** Bytes before `from` were handed to the socket and are never written again. */
  slab: Buffer;
  from: number;
  to: number;
}

const SLAB = 64 * 1024;

/** Where requests with one To-Path and From-Path go, and their paths rewritten. */
interface Route {
  readonly to: Client;
  /** `To-Path: …CRLF From-Path: …CRLF` of the forwarded request. */
  readonly paths: string;
  /** The paths of the 200 sent back: To-Path the first From-Path URI, From-Path us. */
  readonly okPaths: string;
}

/** Listens on 127.0.0.1; resolves with its URI and a function that stops it. */
export async function listenFloor(): Promise<{ uri: MsrpUri; stop: () => void }> {
  const sessions = new Map<string, Client>();
  const routes = new Map<string, Route>();
  const pending = new Map<string, Client>();
  const tidPrefix = randomBytes(6).toString('hex');
  let tids = 0;
  let prefix = '';
  /** Clients with output waiting for the end of the read. */
  const dirty = new Set<Client>();
  /** Room for `bytes` more in `c`'s slab (a frame here is far smaller than a slab). */
  const room = (c: Client, bytes: number): Buffer => {
    if (c.to + bytes > c.slab.length) {
      const fresh = Buffer.allocUnsafe(Math.max(SLAB, bytes));
      c.slab.copy(fresh, 0, c.from, c.to);
      c.to -= c.from;
      c.from = 0;
      c.slab = fresh;
    }
    dirty.add(c);
    return c.slab;
  };
  const text = (c: Client, s: string): void => {
    const slab = room(c, s.length);
    c.to += slab.write(s, c.to, 'latin1');
  };

  const route = (from: Client, toLine: string, fromLine: string): Route | undefined => {
    const key = `${toLine}\n${fromLine}`;
    const known = routes.get(key);
    if (known && known.to.socket.writable) return known;
    const to = toLine.split(' ');
    let arrivedOn: Client | undefined = from;
    const crossed: string[] = [];
    for (let i = 0; i < to.length - 1; i++) {
      const uri = to[i]!;
      const client = uri.startsWith(prefix)
        ? sessions.get(uri.slice(prefix.length, uri.indexOf(';')))
        : undefined;
      if (!client) return undefined;
      crossed.unshift(uri);
      if (client === arrivedOn) {
        arrivedOn = undefined;
        continue;
      }
      const paths = `To-Path: ${to.slice(i + 1).join(' ')}\r\nFrom-Path: ${[...crossed, fromLine].join(' ')}\r\n`;
      const okPaths = `To-Path: ${fromLine.split(' ')[0]!}\r\nFrom-Path: ${to[0]!}\r\n`;
      const made = { to: client, paths, okPaths };
      routes.set(key, made);
      return made;
    }
    return undefined;
  };

  const frame = (client: Client, buf: Buffer, pos: number): number => {
    const nl = buf.indexOf(LF, pos);
    if (nl < 0) return -1;
    const sp = buf.indexOf(SP, pos + 5);
    const tid = buf.toString('latin1', pos + 5, sp);
    const endTag = `-------${tid}`;
    const end = buf.indexOf(endTag, nl, 'latin1');
    if (end < 0 || end + endTag.length + 3 > buf.length) return -1;
    const next = end + endTag.length + 3;
    const method = buf.toString('latin1', sp + 1, nl - 1);
    if (method.charCodeAt(0) <= 0x39) {
      // A response to a request we forwarded.
      pending.delete(tid);
      return next;
    }
    const toEnd = buf.indexOf(LF, nl + 1);
    const fromEnd = buf.indexOf(LF, toEnd + 1);
    const toLine = buf.toString('latin1', nl + 10, toEnd - 1);
    const fromLine = buf.toString('latin1', toEnd + 12, fromEnd - 1);
    if (method === 'AUTH') {
      const sid = randomBytes(9).toString('base64url');
      sessions.set(sid, client);
      text(
        client,
        `MSRP ${tid} 200 OK\r\nTo-Path: ${fromLine}\r\nFrom-Path: ${toLine}\r\n` +
          `Use-Path: ${prefix}${sid};tcp\r\n${endTag}$\r\n`,
      );
      return next;
    }
    const where = route(client, toLine, fromLine);
    if (!where) return next;
    const newTid = `${tidPrefix}${(tids++).toString(36)}`;
    const to = where.to;
    text(to, `MSRP ${newTid} ${method}\r\n${where.paths}`);
    const slab = room(to, end - fromEnd);
    to.to += buf.copy(slab, to.to, fromEnd + 1, end);
    text(to, `-------${newTid}${String.fromCharCode(buf[next - 3]!)}\r\n`);
    if (method === 'SEND') {
      pending.set(newTid, client);
      text(client, `MSRP ${tid} 200 OK\r\n${where.okPaths}${endTag}$\r\n`);
    }
    return next;
  };

  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const client: Client = { socket, slab: Buffer.allocUnsafe(SLAB), from: 0, to: 0 };
    let rest: Buffer | undefined;
    socket.on('data', (data: Buffer) => {
      const buf = rest ? Buffer.concat([rest, data]) : data;
      let pos = 0;
      for (;;) {
        const next = pos < buf.length ? frame(client, buf, pos) : -1;
        if (next < 0) break;
        pos = next;
      }
      rest = pos < buf.length ? Buffer.from(buf.subarray(pos)) : undefined;
      for (const c of dirty) {
        c.socket.write(c.slab.subarray(c.from, c.to));
        c.from = c.to;
      }
      dirty.clear();
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  prefix = `msrp://127.0.0.1:${port}/`;
  const uri: MsrpUri = { scheme: 'msrp', host: '127.0.0.1', port, transport: 'tcp', params: [] };
  return { uri, stop: () => server.close() };
}
