import type { MsrpHeaders, MsrpUri, RequestHead } from '@msrp-ts/msrp-core';
import { newSessionId, paramValue, uriEquals } from '@msrp-ts/msrp-core/internal';
import { AuthRateLimiter, type AuthLimitKind } from './auth-rate-limit.js';
import { DigestAuthenticator, type DigestResult } from './digest-authenticator.js';
import type { Hop } from './hop.js';
import { throttledWarning, type ThrottledLog } from './log-throttle.js';
import type { RelayLogger, RelayOptions, ResolvedLimits } from './relay-options.js';
import { RelaySession } from './relay-session.js';
import { RelayStats } from './relay-stats.js';
import { SessionExpiry } from './session-expiry.js';
import { unmapIpv4 } from './ip-address.js';

/** One frozen empty params array for every session URI (32 bytes each otherwise). */
const NO_PARAMS: MsrpUri['params'] = Object.freeze([]);

/** What an {@link AuthHandler} needs from its relay. */
export interface AuthHandlerContext {
  readonly options: RelayOptions;
  readonly limits: ResolvedLimits;
  readonly stats: RelayStats;
  readonly log: RelayLogger;
  /** Answers `request` on `hop`, with extra headers. */
  readonly respond: (
    hop: Hop,
    request: RequestHead,
    status: number,
    comment?: string,
    headers?: Partial<MsrpHeaders>,
  ) => void;
  /** Closes `hop` after what is queued on it (the last response) went out; logs `why`. */
  readonly shut: (hop: Hop, why: string, level?: 'debug' | 'info') => void;
}

/**
 * Answers AUTH requests for this relay (RFC 4976 §6.1): challenges with HTTP Digest, checks
 * the credentials and Expires, and grants relay sessions, which it keeps until they expire,
 * their connection closes or the relay does.
 */
export class AuthHandler {
  readonly #context: AuthHandlerContext;
  readonly #auth: DigestAuthenticator;
  readonly #sessions = new Map<string, RelaySession>();
  readonly #limiter: AuthRateLimiter;
  // Failed and refused AUTHs are logged within a budget: a guesser must not flood the logs.
  readonly #failedLog: ThrottledLog;
  readonly #refusedLog: ThrottledLog;
  readonly #expiry = new SessionExpiry((s) => {
    this.#context.log.info(
      { session: s.toString(), username: s.username },
      'relay session expired',
    );
    this.drop(s);
  });

  constructor(context: AuthHandlerContext) {
    this.#context = context;
    const { options, limits } = context;
    this.#limiter = new AuthRateLimiter({
      perAddress: { burst: limits.authFailureBurst, rate: limits.authFailureRate },
      perUsername: { burst: limits.authUserFailureBurst, rate: limits.authUserFailureRate },
      maxEntries: limits.authRateLimitEntries,
      ...(options.now && { now: options.now }),
    });
    this.#failedLog = throttledWarning(context.log, 'AUTH failed', options.now);
    this.#refusedLog = throttledWarning(
      context.log,
      'AUTH refused: too many failures',
      options.now,
    );
    this.#auth = new DigestAuthenticator({
      realm: options.realm ?? 'msrp-relay',
      store: options.credentials,
      ...(options.nonceLifetime !== undefined && { nonceLifetime: options.nonceLifetime }),
      ...(options.now && { now: options.now }),
    });
  }

  /** Relay sessions granted and not yet dropped. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The relay session with this session-id. */
  session(id: string): RelaySession | undefined {
    return this.#sessions.get(id);
  }

  /** RFC 4976 §6.1: challenges, checks credentials and Expires, grants a relay session. */
  async authenticate(hop: Hop, request: RequestHead): Promise<void> {
    const { options, limits, stats, log, respond } = this.#context;
    const claimed = request.authorization && paramValue(request.authorization.params, 'username');
    // An AUTH that came through another relay (RFC 4976 §5.1) shares that relay's connection
    // with its other users and their relay sessions: a refusal answers this AUTH alone.
    const relayed = request.fromPath.length > 1;
    // A connection holding a session of the user proved its password: not refused by name.
    // Through a relay, only the client that holds it (the same previous hop) did.
    const held =
      claimed !== undefined &&
      [...hop.sessions].some(
        (s) =>
          s.username === claimed && (!relayed || uriEquals(s.authPath[0]!, request.fromPath[0]!)),
      );
    const limitedName = held ? undefined : claimed;
    const limit = this.#limiter.refuses(hop.address, limitedName);
    if (limit) return this.#refuse(hop, request, limit, relayed, claimed);
    // Charged before the check and refunded unless it fails, so that AUTHs checked at the
    // same time cannot slip past an empty bucket.
    const charged = request.authorization !== undefined;
    if (charged) this.#limiter.charge(hop.address, claimed);
    stats.authRateLimitEntries = this.#limiter.entries;
    const refund = (): void => void (charged && this.#limiter.refund(hop.address, claimed));
    let result: DigestResult;
    try {
      result = await this.#auth.verify(request, hop.address);
    } catch (e) {
      refund();
      // The credential store could not answer (its database is down): not the client's
      // fault, so no failed attempt is counted against it. RFC 4975 §10 has no code for a
      // server fault (its 5xx, 501 and 506, mean other things); like Kamailio's msrp module,
      // answer 500, SIP's code for it (RFC 3261 §21.5.1). The client may try again later;
      // the sessions granted already stay.
      RelayStats.bump(stats.authFailures, 'unavailable');
      log.error({ remote: hop.remote, error: (e as Error).message }, 'AUTH not checked');
      if (hop.connection && !hop.connection.closed)
        respond(hop, request, 500, 'Credentials unavailable, try again later');
      return;
    }
    // A stale nonce with the right password is no guess: not counted against the client.
    if (result.ok || result.reason === 'stale') refund();
    if (!hop.connection || hop.connection.closed) return;
    if (!result.ok) {
      if (result.reason === 'missing') {
        log.debug({ remote: hop.remote }, 'AUTH challenged');
      } else {
        RelayStats.bump(stats.authFailures, result.reason);
        this.#failedLog.line({
          remote: hop.remote,
          reason: result.reason,
          username: result.username,
        });
        // A stale nonce with the right password is no guess (RFC 7616 §3.3: the client retries
        // at once with the new one): neither limited nor counted, or a client that keeps its
        // nonce between refreshes would be cut off after maxAuthAttempts of them.
        const guess = result.reason !== 'stale';
        // A failure that left a bucket empty gets no new challenge: guessing stops here.
        const limit = guess ? this.#limiter.refuses(hop.address, limitedName) : undefined;
        if (limit) return this.#refuse(hop, request, limit, relayed, claimed);
        if (guess && !relayed && ++hop.authFailures >= limits.maxAuthAttempts) {
          respond(hop, request, 403, 'Too many failed AUTH attempts');
          this.#context.shut(hop, 'closing after too many failed AUTH attempts');
          return;
        }
      }
      // RFC 7616 §3.4.6: a digest-uri that is not the resource asked for SHOULD get 400; a
      // challenge would only invite the same answer again.
      if (result.reason === 'uri') {
        return respond(hop, request, 400, 'digest-uri is not the relay the AUTH was sent to');
      }
      // RFC 7616 §3.3: stale=true tells a client with the right password to retry at once.
      respond(hop, request, 401, undefined, {
        wwwAuthenticate: this.#auth.challenge(hop.address, result.reason === 'stale'),
      });
      return;
    }
    const min = options.minExpires ?? 60;
    const max = options.maxExpires ?? 3600;
    const expires = request.expires ?? options.defaultExpires ?? Math.min(max, Math.max(min, 600));
    // RFC 4976 §6.1: an Expires out of bounds gets 423 with the bound it crossed.
    if (expires < min) return respond(hop, request, 423, undefined, { minExpires: min });
    if (expires > max) return respond(hop, request, 423, undefined, { maxExpires: max });
    const client = request.fromPath[0]!;
    let session = [...hop.sessions].find(
      (s) => s.username === result.username && uriEquals(s.authPath[0]!, client),
    );
    if (!session) {
      if (hop.sessions.size >= limits.maxSessionsPerConnection) {
        return respond(hop, request, 403, 'Too many relay sessions on this connection');
      }
      session = this.#createSession(hop, request, result.username);
    }
    this.#expiry.set(session, Date.now() + expires * 1000);
    hop.trust();
    stats.authSuccesses++;
    // RFC 4976 §6.1: Use-Path lists the relays the AUTH crossed (From-Path without the
    // client, reversed), then this relay's URI for the client.
    const usePath = [...request.fromPath.slice(0, -1)].reverse().concat(session.uri);
    log.info(
      { remote: hop.remote, username: result.username, session: session.toString(), expires },
      'AUTH succeeded',
    );
    respond(hop, request, 200, undefined, {
      usePath,
      expires,
      authenticationInfo: result.authenticationInfo,
    });
  }

  /** Ends a relay session: requests for its URI get 481 from now on. */
  drop(session: RelaySession): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#expiry.delete(session);
    this.#sessions.delete(session.id);
    session.client.sessions.delete(session);
    this.#context.stats.sessions--;
  }

  /** Ends every relay session (the relay closes). */
  dropAll(): void {
    for (const session of [...this.#sessions.values()]) this.drop(session);
    this.#expiry.stop();
  }

  /** Writes the count of the failed and refused AUTHs not logged, if any (the relay closing). */
  flushLog(): void {
    this.#failedLog.flush();
    this.#refusedLog.flush();
  }

  /**
   * Refuses an AUTH because the failed AUTHs of its address or username used up their rate
   * limit: 403 with no challenge, then the connection closes, unless the AUTH came through
   * another relay (`relayed`). RFC 4976 §6.1 lets a relay refuse a client it will not serve
   * with 403 (RFC 4975 §10: the action is not allowed); giving no new nonce stops the
   * guessing on this connection at once.
   */
  #refuse(
    hop: Hop,
    request: RequestHead,
    limit: AuthLimitKind,
    relayed: boolean,
    username?: string,
  ): void {
    const { stats, respond, shut } = this.#context;
    RelayStats.bump(stats.authRateLimited, limit);
    this.#refusedLog.line({ remote: hop.remote, limit, username });
    respond(hop, request, 403, 'Too many failed AUTH attempts, try again later');
    if (!relayed) shut(hop, 'closing after AUTH refused by the rate limit', 'debug');
  }

  #createSession(hop: Hop, request: RequestHead, username: string): RelaySession {
    const stream = hop.connection!.stream;
    const listener =
      hop.origin.kind === 'inbound'
        ? hop.origin
        : { scheme: 'msrp' as const, transport: 'tcp' as const, port: 2855 };
    const id = newSessionId();
    const uri: MsrpUri = {
      scheme: listener.scheme,
      // An IPv4 client of a dual-stack [::] listener gets the IPv4 address, not the mapped
      // IPv6 one that an IPv4-only peer cannot reach.
      host: this.#context.options.host ?? unmapIpv4(stream.localAddress ?? '127.0.0.1'),
      port: listener.port,
      sessionId: id,
      // RFC 7977 §5.3.1: a WebSocket client reaches its relay over the WebSocket.
      transport: listener.transport,
      params: NO_PARAMS,
    };
    const session = new RelaySession(id, uri, username, hop, request.fromPath);
    this.#sessions.set(id, session);
    hop.sessions.add(session);
    this.#context.stats.sessions++;
    return session;
  }
}
