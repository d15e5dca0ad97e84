import type { DigestAlgorithm } from '@msrp-ts/msrp-core';
import type { CredentialStore } from './credential-store.js';

/**
 * Several credential stores asked in order, the first that knows the user answering: what
 * `msrp-relay` builds from --user, --users and --users-db.
 */
export class LayeredCredentialStore implements CredentialStore {
  readonly #layers: readonly CredentialStore[];

  constructor(layers: readonly CredentialStore[]) {
    this.#layers = layers;
  }

  /**
   * The algorithms every layer can check (a user of any layer must be able to answer the
   * challenge), or undefined when no layer restricts them. Asked anew each time: a layer's
   * may change when it reloads its users.
   */
  get algorithms(): readonly DigestAlgorithm[] | undefined {
    let algorithms: readonly DigestAlgorithm[] | undefined;
    for (const { algorithms: own } of this.#layers) {
      if (own) algorithms = algorithms ? algorithms.filter((a) => own.includes(a)) : own;
    }
    return algorithms;
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
