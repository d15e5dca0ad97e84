// The clients of test/multi-node.test.ts: endpoints authenticated to a relay node, session
// pairs set up as SDP would, raw MSRP peers, and bounded waits. closeClients() ends them all.
import { createHash } from 'node:crypto';
import {
  Endpoint,
  newTransactionId,
  nextEvent,
  type IncomingMessage,
  type MsrpUri,
  type RequestHead,
  type ResponseHead,
  type Session,
} from '@msrp-ts/msrp-core';
import { RawPeer } from '../../packages/msrp-core/test/helpers/raw-peer.js';
import type { RelayNode } from './relay-nodes.js';

const endpoints: Endpoint[] = [];
const peers: RawPeer[] = [];

/** Closes every endpoint and raw peer made here. */
export async function closeClients(): Promise<void> {
  for (const peer of peers.splice(0)) peer.destroy();
  for (const endpoint of endpoints.splice(0)) await endpoint.close();
}

export const hostPort = (uri: MsrpUri): string => `${uri.host}:${uri.port}`;
export const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

/** `username` (password USERNAME-secret, as the script adds them) authenticated to `node`. */
export async function client(
  username: string,
  node: RelayNode,
  confirmWhenRead = false,
): Promise<Endpoint> {
  const endpoint = new Endpoint({
    relays: [{ uri: node.uri, username, password: `${username}-secret` }],
    session: { confirmWhenRead },
  });
  endpoints.push(endpoint);
  await endpoint.authenticate();
  return endpoint;
}

/** A session from `a` to `b`, as SDP would set it up: each side's path given to the other. */
export async function pair(a: Endpoint, b: Endpoint): Promise<[Session, Session]> {
  const bSession = b.createSession();
  const aSession = a.createSession();
  bSession.accept(aSession.localPath);
  // The relay answers the binding SEND hop by hop (RFC 4976 §7.2): connect() can settle
  // before it reaches b, which may send only once bound (RFC 4975 §5.4).
  const bound = nextEvent(bSession, 'bound');
  await aSession.connect(bSession.localPath);
  await bound;
  return [aSession, bSession];
}

/** The next message of `inbox`, failing rather than hanging. */
export async function next(
  inbox: AsyncIterator<IncomingMessage>,
  ms = 20_000,
): Promise<IncomingMessage> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    inbox.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result.done) throw new Error('session ended');
  return result.value;
}

/** Polls `check` every 5 ms until true; throws after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A raw MSRP peer connected to `node`. */
export async function rawPeer(node: RelayNode): Promise<RawPeer> {
  const peer = await RawPeer.connect(node.uri.port!);
  peers.push(peer);
  return peer;
}

/** A request from `peer` along `toPath`. */
export function request(
  peer: RawPeer,
  method: string,
  toPath: MsrpUri[],
  extra: Partial<RequestHead> = {},
): RequestHead {
  return {
    kind: 'request',
    method,
    transactionId: newTransactionId(),
    toPath,
    fromPath: [peer.uri],
    ...extra,
  };
}

/** Sends `head` (and `body`) and waits for its response. */
export async function transact(
  peer: RawPeer,
  head: RequestHead,
  body?: Uint8Array,
): Promise<ResponseHead> {
  peer.writeFrame(head, body);
  return (await peer.response(head.transactionId)).head;
}
