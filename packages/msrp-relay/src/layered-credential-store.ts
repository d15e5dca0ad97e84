import type { DigestAlgorithm } from '@msrp-ts/msrp-core';
import type { CredentialStore } from './credential-store.js';

/**
 * Several credential stores asked in order, the first that knows the user answering: what
 * `msrp-relay` builds from --user, --users and --users-db.
 */
export class LayeredCredentialStore implements CredentialStore {
  /**
   * The algorithms every layer can check (a user of any layer must be able to answer the
   * challenge), or undefined when no layer restricts them.
   */
  readonly algorithms: readonly DigestAlgorithm[] | undefined;
  readonly #layers: readonly CredentialStore[];

  constructor(layers: readonly CredentialStore[]) {
    this.#layers = layers;
    let algorithms: readonly DigestAlgorithm[] | undefined;
    for (const { algorithms: own } of layers) {
      if (own) algorithms = algorithms ? algorithms.filter((a) => own.includes(a)) : own;
    }
    this.algorithms = algorithms;
  }

  async ha1(
    username: string,
    realm: string,
    algorithm: DigestAlgorithm,
  ): Promise<string | undefined> {
    for (const layer of this.#layers) {
      const found = await layer.ha1(username, realm, algorithm);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}
