// The pieces of the under-attack tests: a well-behaved pair chatting through a relay in the
// background while a test attacks it, peers from other loopback addresses, more users.
import { connect } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatUri, type MsrpUri, type ResponseHead } from '@msrp-ts/msrp-core';
import { answerChallenge } from '@msrp-ts/msrp-core/internal';
import { expect } from 'vitest';
import { ChunkScheduler } from '../src/chunk-scheduler.js';
import { StaticCredentialStore, type RelayOptions } from '../src/index.js';
import {
  USERS,
  authRequest,
  clientOf,
  endpoint,
  next,
  onCleanup,
  RawPeer,
  sessionPair,
  startRelay,
  transact,
} from './helpers.js';

/** Alice and Bob in round trips: ping from Alice, pong from Bob, each checked as it arrives. */
export interface TalkingPair {
  /** Round trips completed so far. */
  readonly roundTrips: number;
  /** Waits for `count` more round trips; fails if the pair stopped or they take too long. */
  more(count?: number, timeout?: number): Promise<void>;
  /** Stops after the round trip in progress; fails if any message went missing or late. */
  stop(): Promise<number>;
}

/**
 * Starts Alice and Bob chatting through `relay`: a round trip every `gapMs` (a pace, not a
 * synchronisation: each round trip waits for its messages), every message checked in order.
 */
export async function talkingPair(relay: MsrpUri, gapMs = 5): Promise<TalkingPair> {
  const alice = await clientOf('alice', [relay]);
  const bob = await clientOf('bob', [relay]);
  const { a, b } = await sessionPair(alice, bob);
  const aliceInbox = a[Symbol.asyncIterator]();
  const bobInbox = b[Symbol.asyncIterator]();
  let stopped = false;
  let roundTrips = 0;
  let failure: Error | undefined;
  const waiters = new Set<() => void>();
  const loop = (async () => {
    try {
      while (!stopped) {
        const i = roundTrips;
        await a.send(`ping ${i}`);
        const ping = (await next(bobInbox, 5000)).text();
        if (ping !== `ping ${i}`) throw new Error(`Bob got "${ping}", not "ping ${i}"`);
        await b.send(`pong ${i}`);
        const pong = (await next(aliceInbox, 5000)).text();
        if (pong !== `pong ${i}`) throw new Error(`Alice got "${pong}", not "pong ${i}"`);
        roundTrips++;
        for (const wake of waiters) wake();
        await sleep(gapMs);
      }
    } catch (e) {
      failure = e as Error;
      for (const wake of waiters) wake();
    }
  })();
  const pair: TalkingPair = {
    get roundTrips() {
      return roundTrips;
    },
    async more(count = 3, timeout = 5000) {
      const target = roundTrips + count;
      let timer: NodeJS.Timeout | undefined;
      let wake: () => void = () => undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the pair made no ${count} round trips in ${timeout} ms`)),
            timeout,
          );
          wake = () => {
            if (failure) reject(new Error(`the pair stopped talking: ${failure.message}`));
            else if (roundTrips >= target) resolve();
          };
          waiters.add(wake);
          wake();
        });
      } finally {
        clearTimeout(timer);
        waiters.delete(wake);
      }
    },
    async stop() {
      stopped = true;
      await loop;
      if (failure) throw new Error(`the pair stopped talking: ${failure.message}`);
      return roundTrips;
    },
  };
  onCleanup(() => void ((stopped = true), loop));
  return pair;
}

/** A raw peer connected to the relay from another loopback address (127.0.0.0/8 is all ours). */
export async function rawClientFrom(port: number, localAddress: string): Promise<RawPeer> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const peer = new RawPeer(socket);
  onCleanup(() => peer.destroy());
  return peer;
}

export const CAROL = { username: 'carol', password: 'carol-secret' };
export const DAVE = { username: 'dave', password: 'dave-secret' };

/** A relay with alice, bob, carol and dave. */
export function relayWith(options: Partial<RelayOptions>) {
  return startRelay({
    credentials: new StaticCredentialStore([...USERS, CAROL, DAVE]),
    ...options,
  });
}

/** Authenticates `peer` as `username` with `password`; returns every response, in order. */
export async function authAs(
  peer: RawPeer,
  relay: MsrpUri,
  username: string,
  password: string,
): Promise<ResponseHead[]> {
  const challenge = await transact(peer, authRequest(peer, relay));
  if (challenge.statusCode !== 401) return [challenge];
  const credentials = { username, password };
  const authorization = answerChallenge(challenge.wwwAuthenticate!, credentials, formatUri(relay));
  return [challenge, await transact(peer, authRequest(peer, relay, { authorization }))];
}

/** Carol, from 127.0.0.1, authenticates with an endpoint. */
export async function carolGetsIn(relay: MsrpUri): Promise<void> {
  const carol = endpoint({ relays: [{ uri: relay, ...CAROL }] });
  await carol.authenticate();
  expect(carol.usePath).toHaveLength(1);
}

/**
 * The most body bytes any one next hop of any relay had queued (`ChunkScheduler.queuedBytes`)
 * right after a piece of body was queued: exact, where polling `relay.queuedBytes` could miss
 * a peak. Watches until the test ends.
 */
export function watchQueuedPeak(): { readonly peak: number } {
  type Push = (this: ChunkScheduler, ...args: Parameters<ChunkScheduler['push']>) => boolean;
  const proto = ChunkScheduler.prototype;
  const push: Push = Reflect.get(proto, 'push');
  const watch = { peak: 0 };
  proto.push = function (this: ChunkScheduler, request, part) {
    const result = push.call(this, request, part);
    watch.peak = Math.max(watch.peak, this.queuedBytes);
    return result;
  };
  onCleanup(() => void (proto.push = push));
  return watch;
}

/**
 * The To-Paths and From-Paths a hostile frame may carry at relay `at`: to the relay itself,
 * through it to either side's session, straight to a session, along a granted Use-Path; from
 * the peer itself, through the relay, or posing as a session.
 */
export function hostilePaths(
  at: MsrpUri,
  self: MsrpUri,
  a: readonly MsrpUri[],
  b: readonly MsrpUri[],
  usePath?: readonly MsrpUri[],
): { to: string[]; from: string[] } {
  const pathOf = (path: readonly MsrpUri[]): string => path.map(formatUri).join(' ');
  const relay = formatUri(at);
  const to = [
    relay,
    `${relay} ${pathOf(a)}`,
    `${relay} ${pathOf(b)}`,
    pathOf(a),
    ...(usePath ? [`${pathOf(usePath)} ${pathOf(b)}`] : []),
  ];
  return { to, from: [formatUri(self), `${relay} ${formatUri(self)}`, pathOf(b)] };
}
