import type { MsrpUri, RequestHead } from '@msrp-ts/msrp-core';
import { formatUri } from '@msrp-ts/msrp-core/internal';
import type { Hop } from './hop.js';
import type { RelaySession } from './relay-session.js';

/** Where a request goes, with its To-Path and From-Path rewritten (RFC 4976 §7.1). */
export interface ForwardRoute {
  readonly kind: 'forward';
  /** A connection of the relay (a client's), or the URI of a next hop to reach or dial. */
  readonly to: Hop | MsrpUri;
  readonly toPath: readonly MsrpUri[];
  readonly fromPath: readonly MsrpUri[];
}

/** Why a request is not forwarded: the status to answer it with. */
export interface RefusedRoute {
  readonly kind: 'refuse';
  readonly status: 481;
  readonly reason: string;
}

export type Route = ForwardRoute | RefusedRoute;

/**
 * Decides where a request that arrived on `from` goes. The relay knows its clients by what
 * it handed out and what it authenticated, never by host and port (a client that does not
 * listen may well carry the relay's own authority in its URI):
 *
 * - the first To-Path URI names a relay session by its session-id (481 when there is none);
 * - a request arriving on that session's client connection goes out to the next To-Path URI,
 *   which may be another relay session of this relay: then on to that session's client;
 * - a request arriving from anywhere else goes to the session's client, over the client's
 *   connection. So the relay only ever forwards from its client or to its client, as
 *   RFC 4976 §7.1 requires, and has nothing to refuse with 403 here.
 *
 * Each relay session crossed moves from To-Path to the front of From-Path (RFC 4976 §7.1).
 */
export function routeRequest(
  from: Hop,
  request: RequestHead,
  sessionOf: (id: string) => RelaySession | undefined,
): Route {
  const memo = from.lastRoute;
  if (
    memo &&
    memo.toPath === request.toPath &&
    memo.fromPath === request.fromPath &&
    holds(memo, sessionOf)
  )
    return memo.route;
  const decided = decide(from, request, sessionOf);
  if ('kind' in decided) {
    from.lastRoute = undefined;
    return decided;
  }
  from.lastRoute = decided;
  return decided.route;
}

/** The last route a hop's requests took, and what it was decided by (see `routeRequest`). */
export interface RouteMemo {
  /** The paths as the request carried them. */
  readonly toPath: readonly MsrpUri[];
  readonly fromPath: readonly MsrpUri[];
  /** The relay sessions the first To-Path URIs named, in order. */
  readonly sessions: readonly RelaySession[];
  readonly route: ForwardRoute;
}

/**
 * Whether `memo` still holds: the parser hands repeated header lines the same values, so a
 * request with the same paths goes the same way while the relay sessions it crossed are the
 * same (their clients never change) and the URI after them names none of this relay's.
 */
export function holds(
  memo: RouteMemo,
  sessionOf: (id: string) => RelaySession | undefined,
): boolean {
  const { toPath, sessions } = memo;
  for (let i = 0; i < sessions.length; i++)
    if (sessionOf(toPath[i]!.sessionId!) !== sessions[i]) return false;
  const next = toPath[sessions.length]!;
  return memo.route.to !== next || !sessionAt(next, sessionOf);
}

/** The relay session `uri` names, if any. */
function sessionAt(
  uri: MsrpUri,
  sessionOf: (id: string) => RelaySession | undefined,
): RelaySession | undefined {
  return uri.sessionId === undefined ? undefined : sessionOf(uri.sessionId);
}

function decide(
  from: Hop,
  request: RequestHead,
  sessionOf: (id: string) => RelaySession | undefined,
): RefusedRoute | RouteMemo {
  let toPath = request.toPath;
  let fromPath = request.fromPath;
  // After the first relay session, the request comes from this relay itself.
  let arrivedOn: Hop | undefined = from;
  const sessions: RelaySession[] = [];
  for (;;) {
    const here = toPath[0]!;
    const session = sessionAt(here, sessionOf);
    // RFC 4976 §7.1: a request for a relay session that does not exist gets 481.
    if (!session) return refuse('No such relay session');
    const next = toPath[1];
    if (!next) return refuse('Nothing to forward to after this relay');
    sessions.push(session);
    fromPath = [here, ...fromPath];
    toPath = toPath.slice(1);
    let to: Hop | MsrpUri | undefined;
    if (arrivedOn !== session.client) to = session.client;
    else if (!sessionAt(next, sessionOf)) to = next;
    if (to) {
      const route: ForwardRoute = { kind: 'forward', to, toPath, fromPath };
      return { toPath: request.toPath, fromPath: request.fromPath, sessions, route };
    }
    arrivedOn = undefined;
  }
}

function refuse(reason: string): RefusedRoute {
  return { kind: 'refuse', status: 481, reason };
}

/** The paths of a request as text, for the log line of a request the relay refuses. */
export function pathsForLog(request: RequestHead): { toPath: string[]; fromPath: string[] } {
  return { toPath: request.toPath.map(formatUri), fromPath: request.fromPath.map(formatUri) };
}
