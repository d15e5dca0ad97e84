// Shared pieces of the relay tests: resources closed after each test, a relay on loopback,
// endpoints that authenticate to it, and waiting for messages without hanging.
import { afterEach } from 'vitest';
import {
  Endpoint,
  formatUri,
  newTransactionId,
  nextEvent,
  type EndpointOptions,
  type RequestHead,
  type ResponseHead,
  type IncomingMessage,
  type MsrpUri,
  type RelayAccount,
  type Session,
} from '@msrp-ts/msrp-core';
import { answerChallenge } from '@msrp-ts/msrp-core/internal';
import { Relay, StaticCredentialStore, type RelayOptions } from '../src/index.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `cleanup` after the current test (last registered, first run). */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

export const USERS = [
  { username: 'alice', password: 'alice-secret' },
  { username: 'bob', password: 'bob-secret' },
];

/** A relay listening on 127.0.0.1 with a free port, users alice and bob. */
export async function startRelay(
  options: Partial<RelayOptions> = {},
): Promise<{ relay: Relay; uri: MsrpUri }> {
  const relay = new Relay({ credentials: new StaticCredentialStore(USERS), ...options });
  onCleanup(() => relay.close(1000));
  const uri = await relay.listen({ host: '127.0.0.1', port: 0 });
  return { relay, uri };
}

/** An endpoint (closed after the test). */
export function endpoint(options: EndpointOptions = {}): Endpoint {
  const e = new Endpoint(options);
  onCleanup(() => e.close());
  return e;
}

/** An endpoint authenticated as `username` to `relays` (in order), ready for sessions. */
export async function clientOf(
  username: 'alice' | 'bob',
  relays: readonly MsrpUri[],
  options: EndpointOptions = {},
): Promise<Endpoint> {
  const password = USERS.find((u) => u.username === username)!.password;
  const accounts: RelayAccount[] = relays.map((uri) => ({ uri, username, password }));
  const e = endpoint({ ...options, relays: accounts });
  await e.authenticate();
  return e;
}

/** A session from `alice` to `bob` through their relays, connected (bob accepts alice's path). */
export async function sessionPair(
  alice: Endpoint,
  bob: Endpoint,
): Promise<{ a: Session; b: Session }> {
  const b = bob.createSession();
  const a = alice.createSession();
  b.accept(a.localPath);
  // The relay answers the binding SEND hop by hop (RFC 4976 §7.2): connect() can settle
  // before it reaches b, which may send only once bound (RFC 4975 §5.4).
  const bound = nextEvent(b, 'bound');
  await a.connect(b.localPath);
  await bound;
  return { a, b };
}

/** The next message of a session, failing (rather than hanging) when none comes. */
export async function next(
  inbox: AsyncIterator<IncomingMessage>,
  timeout = 10_000,
): Promise<IncomingMessage> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    inbox.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no message within ${timeout} ms`)), timeout);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result.done) throw new Error('session ended');
  return result.value;
}

/** Waits until `check` is true, polling; fails after `timeout` ms. */
export async function eventually(
  check: () => boolean,
  timeout = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until `read` has stopped growing for `quiet` ms (after it passed `above`). */
export async function stalled(read: () => number, above: number, quiet = 250): Promise<void> {
  let last = -1;
  let since = Date.now();
  await eventually(
    () => {
      const now = read();
      if (now !== last) [last, since] = [now, Date.now()];
      return now > above && Date.now() - since >= quiet;
    },
    10_000,
    'the transfer to stall',
  );
}

import { RawPeer, RawServer, type RawPeerOptions } from '../../msrp-core/test/helpers/raw-peer.js';

export { RawPeer, RawServer };
export type { RawFrame, RawRequest, RawResponse } from '../../msrp-core/test/helpers/raw-peer.js';

/** Connects a raw peer to the relay (destroyed after the test). */
export async function rawClient(port: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  onCleanup(() => peer.destroy());
  return peer;
}

/** A raw AUTH request from `peer` to `relay` (To-Path: `via` then the relay). */
export function authRequest(
  peer: RawPeer,
  relay: MsrpUri,
  extra: Partial<RequestHead> = {},
  via: readonly MsrpUri[] = [],
): RequestHead {
  return {
    kind: 'request',
    method: 'AUTH',
    transactionId: newTransactionId(),
    toPath: [...via, relay],
    fromPath: [peer.uri],
    ...extra,
  };
}

/** Sends `head` and waits for its response. */
export async function transact(peer: RawPeer, head: RequestHead): Promise<ResponseHead> {
  peer.writeFrame(head);
  return (await peer.response(head.transactionId)).head;
}

/** The full AUTH exchange as a raw peer: 401, then the answer; returns the 200. */
export async function rawAuth(
  peer: RawPeer,
  relay: MsrpUri,
  username = 'alice',
  extra: Partial<RequestHead> = {},
): Promise<ResponseHead> {
  const challenge = await transact(peer, authRequest(peer, relay));
  if (challenge.statusCode !== 401) throw new Error(`expected 401, got ${challenge.statusCode}`);
  const password = USERS.find((u) => u.username === username)!.password;
  const authorization = answerChallenge(
    challenge.wwwAuthenticate ?? [],
    { username, password },
    formatUri(relay),
  );
  return transact(peer, authRequest(peer, relay, { authorization, ...extra }));
}

/**
 * A relay, a raw client (`owner`, authenticated, its relay session URI `session`) and a raw
 * next hop listening at `nextUri` (all closed after the test): to see what the relay forwards.
 */
export async function relayToNextHop(
  options: Partial<RelayOptions> = {},
  next: RawPeerOptions = {},
): Promise<{
  relay: Relay;
  uri: MsrpUri;
  owner: RawPeer;
  session: MsrpUri;
  server: RawServer;
  nextUri: MsrpUri;
}> {
  const { relay, uri } = await startRelay(options);
  const owner = await rawClient(uri.port!);
  const session = (await rawAuth(owner, uri)).usePath![0]!;
  const server = await RawServer.listen(next);
  onCleanup(() => server.close());
  return { relay, uri, owner, session, server, nextUri: server.uri() };
}
