// The digest and relay-registration API of the Node entries: the neutral functions of
// session/ with Node's hasher as the default, so that Node callers pass no hasher.
import type { AuthHeader } from '../wire/digest.js';
import type { MsrpUri } from '../wire/uri.js';
import * as neutral from '../session/digest-response.js';
import type { DigestAlgorithm, DigestInput } from '../session/digest-response.js';
import { HashTap as NeutralHashTap, type FileHashAlgorithm } from '../session/file-transfer.js';
import type { HasherFactory } from '../session/hasher.js';
import {
  answerChallenge as neutralAnswerChallenge,
  RelayRegistration as NeutralRelayRegistration,
  type RegistrationLink,
  type RelayAccount,
  type RelayRegistrationOptions as NeutralRegistrationOptions,
} from '../session/relay-registration.js';
import { nodeHasher } from './node-hasher.js';

/**
 * `H(data)` of RFC 7616 §3.4.1: the hash of `data` (UTF-8) as lowercase hex.
 * @param createHasher where the hash comes from; default Node's `node:crypto`.
 */
export function digestHash(
  algorithm: DigestAlgorithm,
  data: string,
  createHasher: HasherFactory = nodeHasher,
): string {
  return neutral.digestHash(algorithm, data, createHasher);
}

/** `HA1 = H(username ":" realm ":" password)` (RFC 7616 §3.4.2), what a credential store keeps. */
export function digestHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
  createHasher: HasherFactory = nodeHasher,
): string {
  return neutral.digestHa1(algorithm, username, realm, password, createHasher);
}

/**
 * `KD(HA1, nonce:nc:cnonce:qop:H(A2))` with `A2 = method:uri` and qop=auth
 * (RFC 7616 §3.4.1): the `response` of Authorization, or the `rspauth` of
 * Authentication-Info when `method` is empty.
 * @param createHasher where the hashes come from; default Node's `node:crypto`.
 */
export function digestResponse(
  input: DigestInput,
  createHasher: HasherFactory = nodeHasher,
): string {
  return neutral.digestResponse(input, createHasher);
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
  nonceCount = 1,
  createHasher: HasherFactory = nodeHasher,
): AuthHeader {
  return neutralAnswerChallenge(challenges, account, uri, nonceCount, createHasher);
}

/** Options of a {@link RelayRegistration}. */
export interface RelayRegistrationOptions extends Partial<NeutralRegistrationOptions> {
  /** Where the digest hashes come from. Default Node's `node:crypto` ({@link nodeHasher}). */
  createHasher?: HasherFactory;
}

/**
 * Keeps a class's `.name` (users see it) in the Node bundle, where esbuild renames it
 * (`HashTap2`: it shares its name with the class it extends). Not esbuild's `keepNames`: that
 * wraps every named function and closure, so each one made on a hot path cost a
 * `defineProperty` (4.7 KB of the relay's 16.5 KB allocated per forwarded message).
 */
function ownName(cls: abstract new (...args: never[]) => unknown, name: string): void {
  Object.defineProperty(cls, 'name', { value: name, configurable: true });
}

/** {@link NeutralRelayRegistration} hashing with Node's `node:crypto` unless told otherwise. */
export class RelayRegistration<C = unknown> extends NeutralRelayRegistration<C> {
  static {
    ownName(this, 'RelayRegistration');
  }

  constructor(
    link: RegistrationLink<C>,
    accounts: readonly RelayAccount[],
    from: MsrpUri,
    options: RelayRegistrationOptions = {},
  ) {
    super(link, accounts, from, { ...options, createHasher: options.createHasher ?? nodeHasher });
  }
}

/** Computes one hash (SHA-256 by default) over bytes as they pass; Node's `node:crypto` by default. */
export class HashTap extends NeutralHashTap {
  static {
    ownName(this, 'HashTap');
  }

  /**
   * @param createHasher where the hash comes from; default Node's `node:crypto`.
   * @param algorithm the hash; default SHA-256.
   */
  constructor(createHasher: HasherFactory = nodeHasher, algorithm: FileHashAlgorithm = 'sha-256') {
    super(createHasher, algorithm);
  }
}
