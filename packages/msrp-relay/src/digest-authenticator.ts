import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthHeader, DigestAlgorithm, Param, RequestHead } from '@msrp-ts/msrp-core';
import {
  digestResponse,
  paramValue,
  parseDigestAlgorithm,
  DIGEST_ALGORITHMS,
  digestHa1,
} from '@msrp-ts/msrp-core/internal';
import { parseUri, uriEquals, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import type { CredentialStore } from './credential-store.js';

/** Options of a {@link DigestAuthenticator}. */
export interface DigestAuthenticatorOptions {
  /** The realm of the challenges; Authorization must name the same. */
  realm: string;
  store: CredentialStore;
  /** Milliseconds a nonce stays valid; older ones are refused with `stale=true`. Default 60 000. */
  nonceLifetime?: number;
  /**
   * Algorithms offered, one WWW-Authenticate each, preferred first. Default: the store's
   * `algorithms` at each challenge, or SHA-256 and MD5.
   */
  algorithms?: readonly DigestAlgorithm[];
  /** Key of the nonce MACs. Default: 32 random bytes (nonces then do not survive a restart). */
  secret?: Buffer;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Why an Authorization was refused; `stale` asks the client to retry with a fresh nonce. */
export type DigestFailure =
  | 'missing'
  | 'malformed'
  | 'realm'
  | 'algorithm'
  | 'qop'
  | 'uri'
  | 'nonce'
  | 'credentials'
  | 'stale'
  | 'replay';

/** The outcome of {@link DigestAuthenticator.verify}. */
export type DigestResult =
  | {
      readonly ok: true;
      readonly username: string;
      /** Authentication-Info parameters for the 200 (RFC 7616 §3.5). */
      readonly authenticationInfo: readonly Param[];
    }
  | { readonly ok: false; readonly reason: DigestFailure; readonly username?: string };

interface SeenNonce {
  /** Highest nonce count accepted with this nonce. */
  nc: number;
  issued: number;
}

/**
 * HTTP Digest for MSRP AUTH (RFC 4976 §5.1 and §6.1, RFC 7616): makes the challenges of a
 * 401 and checks the Authorization of the AUTH that answers one.
 *
 * Nonces carry their issue time and a MAC over it and the client address, so the relay
 * keeps no state for clients that never authenticate; only nonces that were used
 * successfully are remembered (until they expire), to refuse replays.
 */
export class DigestAuthenticator {
  readonly realm: string;
  readonly #store: CredentialStore;
  readonly #lifetime: number;
  readonly #algorithms: readonly DigestAlgorithm[] | undefined;
  readonly #secret: Buffer;
  readonly #now: () => number;
  readonly #seen = new Map<string, SeenNonce>();

  constructor(options: DigestAuthenticatorOptions) {
    this.realm = options.realm;
    this.#store = options.store;
    this.#lifetime = options.nonceLifetime ?? 60_000;
    this.#algorithms = options.algorithms;
    this.#secret = options.secret ?? randomBytes(32);
    this.#now = options.now ?? Date.now;
  }

  /**
   * The WWW-Authenticate headers of a 401: one per algorithm, the preferred first
   * (RFC 7616 §3.7), qop=auth. `stale` tells a client whose password was right that only
   * its nonce was too old (RFC 7616 §3.3).
   */
  challenge(remoteAddress: string, stale = false): AuthHeader[] {
    const nonce = this.#nonce(remoteAddress);
    return this.#offered().map((algorithm) => ({
      scheme: 'Digest',
      params: [
        { name: 'realm', value: this.realm, quoted: true },
        { name: 'nonce', value: nonce, quoted: true },
        { name: 'qop', value: 'auth', quoted: true },
        { name: 'algorithm', value: algorithm },
        ...(stale ? [{ name: 'stale', value: 'true' }] : []),
      ],
    }));
  }

  /**
   * Checks the Authorization of an AUTH request (RFC 4976 §6.1): realm, algorithm, qop=auth,
   * that the digest-uri is the URI the AUTH was sent to, that the nonce is ours, fresh and
   * not replayed, and the response, compared in constant time. A right response to a nonce
   * that is not ours (issued before a restart) or too old fails as `stale`.
   */
  async verify(request: RequestHead, remoteAddress: string): Promise<DigestResult> {
    const authorization = request.authorization;
    if (!authorization) return { ok: false, reason: 'missing' };
    const p = (name: string): string | undefined => paramValue(authorization.params, name);
    const username = p('username');
    const nonce = p('nonce');
    const uri = p('uri');
    const response = p('response');
    const cnonce = p('cnonce');
    const nc = p('nc');
    if (
      authorization.scheme.toLowerCase() !== 'digest' ||
      username === undefined ||
      nonce === undefined ||
      uri === undefined ||
      response === undefined ||
      cnonce === undefined ||
      nc === undefined ||
      !/^[0-9a-fA-F]{8}$/.test(nc)
    ) {
      return { ok: false, reason: 'malformed', ...(username !== undefined && { username }) };
    }
    const fail = (reason: DigestFailure): DigestResult => ({ ok: false, reason, username });
    if (p('realm') !== this.realm) return fail('realm');
    const algorithm = parseDigestAlgorithm(p('algorithm'));
    if (!algorithm || !this.#offered().includes(algorithm)) return fail('algorithm');
    if (p('qop')?.toLowerCase() !== 'auth') return fail('qop');
    // RFC 4976 §6.1: the digest-uri is the relay's URI, the last one of the AUTH's To-Path.
    // RFC 7616 §3.4.6: it MUST designate the same resource, so it is compared as a URI
    // (RFC 4975 §6.1: scheme and host case-insensitively), not as text formatted anew.
    const target = request.toPath[request.toPath.length - 1];
    if (!target || !designates(uri, target)) return fail('uri');
    const issued = this.#issued(nonce, remoteAddress);
    const known = await this.#store.ha1(username, this.realm, algorithm);
    // Unknown users are checked against a throwaway secret, so that the time taken does
    // not tell which names exist.
    const ha1 =
      known ?? digestHa1(algorithm, username, this.realm, randomBytes(16).toString('hex'));
    const input = { algorithm, ha1, nonce, nc: nc.toLowerCase(), cnonce, uri };
    const expected = Buffer.from(digestResponse({ ...input, method: 'AUTH' }), 'latin1');
    const given = Buffer.from(response.toLowerCase(), 'latin1');
    const match = given.length === expected.length && timingSafeEqual(given, expected);
    if (issued === undefined) {
      // Not a nonce of ours (one of a relay process since restarted, or of another address).
      // RFC 7616 §3.3: when the response is right for the nonce as sent, the client knows
      // the password: stale=true lets it retry at once. Otherwise a plain 401.
      return fail(match && known !== undefined ? 'stale' : 'nonce');
    }
    if (!match || known === undefined) return fail('credentials');

    const now = this.#now();
    if (now - issued > this.#lifetime) return fail('stale');
    this.#forgetExpired(now);
    const count = parseInt(nc, 16);
    const seen = this.#seen.get(nonce);
    // RFC 7616 §3.4: the nonce count must grow with each use of a nonce; a repeat is a replay.
    if (seen && count <= seen.nc) return fail('replay');
    this.#seen.set(nonce, { nc: count, issued });
    return {
      ok: true,
      username,
      authenticationInfo: [
        { name: 'qop', value: 'auth' },
        { name: 'rspauth', value: digestResponse({ ...input, method: '' }), quoted: true },
        { name: 'cnonce', value: cnonce, quoted: true },
        { name: 'nc', value: nc },
      ],
    };
  }

  #offered(): readonly DigestAlgorithm[] {
    return this.#algorithms ?? this.#store.algorithms ?? DIGEST_ALGORITHMS;
  }

  /** `<issued ms, hex>.<random>.<MAC>`: verifiable without state, bound to the client address. */
  #nonce(remoteAddress: string): string {
    const stamp = `${this.#now().toString(16)}.${randomBytes(12).toString('hex')}`;
    return `${stamp}.${this.#mac(stamp, remoteAddress)}`;
  }

  #mac(stamp: string, remoteAddress: string): string {
    return createHmac('sha256', this.#secret)
      .update(`${stamp}|${remoteAddress}|${this.realm}`)
      .digest('hex')
      .slice(0, 32);
  }

  /** When the nonce was issued, or undefined when we did not issue it to this address. */
  #issued(nonce: string, remoteAddress: string): number | undefined {
    const last = nonce.lastIndexOf('.');
    if (last < 0) return undefined;
    const stamp = nonce.slice(0, last);
    const mac = Buffer.from(nonce.slice(last + 1), 'latin1');
    const expected = Buffer.from(this.#mac(stamp, remoteAddress), 'latin1');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    const issued = parseInt(stamp.slice(0, stamp.indexOf('.')), 16);
    return Number.isSafeInteger(issued) ? issued : undefined;
  }

  #forgetExpired(now: number): void {
    // Map order is insertion order, which is close to issue order: stop at the first live one.
    for (const [nonce, seen] of this.#seen) {
      if (now - seen.issued <= this.#lifetime) break;
      this.#seen.delete(nonce);
    }
  }
}

/** Whether the digest-uri `text` is the URI `target` (RFC 4975 §6.1); false when no URI. */
function designates(text: string, target: MsrpUri): boolean {
  try {
    return uriEquals(parseUri(text), target);
  } catch {
    return false;
  }
}
