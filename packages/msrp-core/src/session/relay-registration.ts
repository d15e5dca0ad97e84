import { TypedEmitter } from '../events/typed-emitter.js';
import { MsrpError, toMsrpError } from '../errors.js';
import { backgroundTimer, type Timer } from '../events/timers.js';
import { paramValue, type Param } from '../wire/grammar.js';
import type { AuthHeader } from '../wire/digest.js';
import type { RequestHead, ResponseHead } from '../wire/head.js';
import { newTransactionId } from '../wire/ids.js';
import { formatUri, parseUri, type MsrpUri } from '../wire/uri.js';
import {
  DIGEST_ALGORITHMS,
  digestHa1,
  digestHash,
  digestResponse,
  parseDigestAlgorithm,
  type DigestAlgorithm,
} from './digest-response.js';
import { toHex, type HasherFactory } from './hasher.js';

/** The shortest wait before a failed refresh is tried again. */
const RETRY_MIN_MS = 1000;

/** A relay to use and the credentials it knows us by (RFC 4976 §5.1). */
export interface RelayAccount {
  /** The relay's URI, e.g. `msrps://relay.example.net:2855;tcp` (no session-id). */
  readonly uri: MsrpUri | string;
  readonly username: string;
  readonly password: string;
  /** Seconds to ask for in Expires. Default: what the relay grants. */
  readonly expires?: number;
}

/**
 * What a {@link RelayRegistration} needs from its endpoint. `C` is the endpoint's handle of
 * the connection to the first relay (the endpoint's own `SessionPort`), passed back as is.
 */
export interface RegistrationLink<C = unknown> {
  /** Opens (or reuses) the connection to the first relay and keeps it open. */
  connect(firstHop: MsrpUri): Promise<C>;
  /** Sends a bodiless request on that connection and resolves with its response. */
  request(connection: C, head: RequestHead): Promise<ResponseHead>;
}

/** Events of a {@link RelayRegistration}. */
export interface RelayRegistrationEvents {
  /** A refresh succeeded; the Use-Path may have changed. */
  refreshed: [usePath: readonly MsrpUri[]];
  /**
   * A refresh failed. It is tried again while the last grant lasts, each time halfway to its
   * end; the relays forget us when it expires.
   */
  error: [error: MsrpError];
}

/** Options of a {@link RelayRegistration}. */
export interface RelayRegistrationOptions {
  /** Refresh when this fraction of the granted Expires has passed. Default 0.8. */
  refreshAt?: number;
  /** Where the digest hashes come from (Node's `nodeHasher`, or a browser's). */
  createHasher: HasherFactory;
}

/**
 * The client side of RFC 4976 AUTH: authenticates to one relay, or to several inside out
 * (the first directly, each next one through those before it), answers digest challenges
 * (RFC 7616: SHA-256 preferred, MD5; qop=auth), learns the Use-Path, and refreshes the
 * grant before it expires.
 */
export class RelayRegistration<C = unknown> extends TypedEmitter<RelayRegistrationEvents> {
  readonly #link: RegistrationLink<C>;
  readonly #accounts: readonly RelayAccount[];
  readonly #from: MsrpUri;
  readonly #refreshAt: number;
  readonly #createHasher: HasherFactory;
  #usePath: readonly MsrpUri[] = [];
  #expires: number | undefined;
  /** When the last grant runs out, in ms since the epoch. */
  #grantEnds = 0;
  #timer: Timer | undefined;
  #closed = false;

  constructor(
    link: RegistrationLink<C>,
    accounts: readonly RelayAccount[],
    from: MsrpUri,
    options: RelayRegistrationOptions,
  ) {
    super();
    if (accounts.length === 0)
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'No relay to authenticate to');
    this.#link = link;
    this.#accounts = accounts;
    this.#from = from;
    this.#refreshAt = options.refreshAt ?? 0.8;
    this.#createHasher = options.createHasher;
  }

  /** The relay URIs to route through, first hop first (the last AUTH's Use-Path). */
  get usePath(): readonly MsrpUri[] {
    return this.#usePath;
  }

  /** Seconds granted by the relay that grants the least, after the last AUTH. */
  get expires(): number | undefined {
    return this.#expires;
  }

  /**
   * AUTHs to every relay in order and schedules the refresh.
   * @throws {MsrpError} `MSRP_ERR_REMOTE` with the relay's status (401 for refused
   * credentials, 403, 423...), `MSRP_ERR_CONNECTION` or `MSRP_ERR_TIMEOUT`.
   */
  async authenticate(): Promise<readonly MsrpUri[]> {
    const first = toUri(this.#accounts[0]!.uri);
    const connection = await this.#link.connect(first);
    let usePath: readonly MsrpUri[] = [];
    let expires: number | undefined;
    for (const account of this.#accounts) {
      const granted = await this.#authOne(connection, usePath, account);
      // The Use-Path of a further relay is the whole way to it (RFC 4976 §5.1). One that names
      // fewer relays than we went through (Kamailio's msrp module names only itself) is
      // reached through the ones before it.
      usePath =
        granted.usePath.length > usePath.length
          ? granted.usePath
          : [...usePath, ...granted.usePath];
      if (granted.expires !== undefined) expires = Math.min(expires ?? Infinity, granted.expires);
    }
    this.#usePath = Object.freeze([...usePath]);
    this.#expires = expires;
    clearTimeout(this.#timer);
    if (expires !== undefined) {
      this.#grantEnds = Date.now() + expires * 1000;
      this.#schedule(expires * 1000 * this.#refreshAt);
    }
    return this.#usePath;
  }

  /** Stops refreshing. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#timer = backgroundTimer(() => this.#refresh(), Math.max(100, delay));
  }

  #refresh(): void {
    this.authenticate().then(
      (usePath) => this.emit('refreshed', usePath),
      (e: unknown) => {
        // Closed meanwhile (the endpoint cut the AUTH short): nobody waits for the grant.
        if (this.#closed) return;
        this.emit('error', toMsrpError(e, 'MSRP_ERR_CONNECTION'));
        // Tried again halfway to the grant's end: a relay that failed once (its credential
        // store restarting: 500, a timeout) gets a few more chances before it forgets us.
        const left = this.#grantEnds - Date.now();
        if (left >= 2 * RETRY_MIN_MS) this.#schedule(left / 2);
      },
    );
  }

  async #authOne(
    connection: C,
    via: readonly MsrpUri[],
    account: RelayAccount,
  ): Promise<{ usePath: readonly MsrpUri[]; expires: number | undefined }> {
    const target = toUri(account.uri);
    // RFC 4976 §5.1: a further relay is reached through the ones already authenticated.
    const toPath = [...via, target];
    let authorization: AuthHeader | undefined;
    let challenges: readonly AuthHeader[] = [];
    let expires = account.expires;
    let nc = 0;
    // Each answer counts the nonce once more (RFC 7616 §3.4).
    const answer = (): AuthHeader =>
      answerChallenge(challenges, account, formatUri(target), ++nc, this.#createHasher);
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await this.#link.request(connection, {
        kind: 'request',
        method: 'AUTH',
        transactionId: newTransactionId(),
        toPath,
        fromPath: [this.#from],
        ...(authorization && { authorization }),
        ...(expires !== undefined && { expires }),
      });
      const status = response.statusCode;
      if (status === 200) {
        if (!response.usePath || response.usePath.length === 0) {
          throw new MsrpError('MSRP_ERR_REMOTE', 'Relay accepted AUTH without a Use-Path', {
            status,
          });
        }
        // A grant of no time is none: taken as one, its refresh would follow at once, and so
        // on, an AUTH every 100 ms for as long as the relay answered so.
        if (response.expires === 0) {
          throw new MsrpError(
            'MSRP_ERR_REMOTE',
            `Relay ${formatUri(target)} accepted AUTH for 0 seconds (Expires: 0)`,
          );
        }
        return { usePath: response.usePath, expires: response.expires };
      }
      if (status === 401) {
        challenges = response.wwwAuthenticate ?? [];
        const stale = challenges.some(
          (c) => paramValue(c.params, 'stale')?.toLowerCase() === 'true',
        );
        if (authorization && !stale) {
          throw new MsrpError(
            'MSRP_ERR_REMOTE',
            `Relay ${formatUri(target)} refused the credentials of ${account.username}`,
            { status },
          );
        }
        // A new challenge, a new nonce: its first use counts 1 (RFC 7616 §3.4).
        nc = 0;
        authorization = answer();
        continue;
      }
      // RFC 4976 §5.1: 423 names the bound crossed; ask again within it.
      const bound = status === 423 ? (response.minExpires ?? response.maxExpires) : undefined;
      if (bound !== undefined && bound !== expires) {
        expires = bound;
        // The nonce was used: answer it again with the next nonce count (RFC 7616 §3.4).
        if (authorization) authorization = answer();
        continue;
      }
      throw new MsrpError(
        'MSRP_ERR_REMOTE',
        `Relay ${formatUri(target)} answered AUTH with ${status} ${response.comment ?? ''}`.trim(),
        { status },
      );
    }
    throw new MsrpError('MSRP_ERR_REMOTE', `AUTH to ${formatUri(target)} did not settle`);
  }
}

function toUri(uri: MsrpUri | string): MsrpUri {
  return typeof uri === 'string' ? parseUri(uri) : uri;
}

/**
 * The Authorization answering the strongest Digest challenge we support (RFC 7616 §3.4),
 * qop=auth, the digest-uri being the relay URI the AUTH is sent to (RFC 4976 §5.1).
 * @throws {MsrpError} `MSRP_ERR_REMOTE` (401) when no challenge can be answered.
 */
export function answerChallenge(
  challenges: readonly AuthHeader[],
  account: { readonly username: string; readonly password: string },
  uri: string,
  nonceCount: number,
  createHasher: HasherFactory,
): AuthHeader {
  const usable = challenges
    .filter((c) => c.scheme.toLowerCase() === 'digest')
    .map((c) => ({ c, algorithm: parseDigestAlgorithm(paramValue(c.params, 'algorithm')) }))
    .filter((x): x is { c: AuthHeader; algorithm: DigestAlgorithm } => x.algorithm !== undefined)
    .sort(
      (a, b) => DIGEST_ALGORITHMS.indexOf(a.algorithm) - DIGEST_ALGORITHMS.indexOf(b.algorithm),
    );
  const chosen = usable[0];
  const realm = chosen && paramValue(chosen.c.params, 'realm');
  const nonce = chosen && paramValue(chosen.c.params, 'nonce');
  if (!chosen || realm === undefined || nonce === undefined) {
    throw new MsrpError('MSRP_ERR_REMOTE', 'Relay sent no Digest challenge we can answer', {
      status: 401,
    });
  }
  const { algorithm } = chosen;
  const qops = paramValue(chosen.c.params, 'qop')
    ?.split(',')
    .map((q) => q.trim().toLowerCase());
  const ha1 = digestHa1(algorithm, account.username, realm, account.password, createHasher);
  const opaque = paramValue(chosen.c.params, 'opaque');
  const params: Param[] = [
    { name: 'username', value: account.username, quoted: true },
    { name: 'realm', value: realm, quoted: true },
    { name: 'nonce', value: nonce, quoted: true },
    { name: 'uri', value: uri, quoted: true },
  ];
  if (qops === undefined) {
    // RFC 2069 compatibility: no qop, response = H(HA1:nonce:H(A2)).
    const ha2 = digestHash(algorithm, `AUTH:${uri}`, createHasher);
    params.push({
      name: 'response',
      value: digestHash(algorithm, `${ha1}:${nonce}:${ha2}`, createHasher),
      quoted: true,
    });
  } else {
    if (!qops.includes('auth')) {
      throw new MsrpError('MSRP_ERR_REMOTE', 'Relay offers no qop=auth', { status: 401 });
    }
    const cnonce = toHex(crypto.getRandomValues(new Uint8Array(12)));
    const nc = nonceCount.toString(16).padStart(8, '0');
    const response = digestResponse(
      { algorithm, ha1, nonce, nc, cnonce, method: 'AUTH', uri },
      createHasher,
    );
    params.push(
      { name: 'response', value: response, quoted: true },
      { name: 'qop', value: 'auth' },
      { name: 'nc', value: nc },
      { name: 'cnonce', value: cnonce, quoted: true },
    );
  }
  params.push({ name: 'algorithm', value: algorithm });
  if (opaque !== undefined) params.push({ name: 'opaque', value: opaque, quoted: true });
  return { scheme: 'Digest', params };
}
