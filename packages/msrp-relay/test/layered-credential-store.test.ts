// The stores msrp-relay layers (--user, --users, --users-db): first answer wins, and the
// challenge offers only the algorithms every layer can check.
import { describe, expect, it } from 'vitest';
import { digestHa1 } from '@msrp-ts/msrp-core';
import { StaticCredentialStore, type CredentialStore } from '../src/index.js';
import { LayeredCredentialStore } from '../src/layered-credential-store.js';
import { clientOf, startRelay } from './helpers.js';

/** A store of MD5 HA1s only (as a subscriber table without a SHA-256 column). */
const md5Only: CredentialStore = {
  algorithms: ['MD5'],
  ha1: (username, realm, algorithm) =>
    Promise.resolve(
      username === 'bob' && algorithm === 'MD5'
        ? digestHa1('MD5', 'bob', realm, 'bob-secret')
        : undefined,
    ),
};

describe('LayeredCredentialStore', () => {
  it('asks its layers in order and offers what all of them can check', async () => {
    const alice = new StaticCredentialStore([{ username: 'alice', password: 'alice-secret' }]);
    expect(new LayeredCredentialStore([alice]).algorithms).toBeUndefined();
    const layered = new LayeredCredentialStore([alice, md5Only]);
    expect(layered.algorithms).toEqual(['MD5']);
    expect(await layered.ha1('bob', 'r', 'MD5')).toBe(digestHa1('MD5', 'bob', 'r', 'bob-secret'));
    expect(await layered.ha1('alice', 'r', 'SHA-256')).toBe(
      digestHa1('SHA-256', 'alice', 'r', 'alice-secret'),
    );
    expect(await layered.ha1('carol', 'r', 'MD5')).toBeUndefined();
    // bob, whose store has no SHA-256 secret, can authenticate: the relay offers MD5 alone.
    const { uri } = await startRelay({ credentials: layered });
    await clientOf('bob', [uri]);
    await clientOf('alice', [uri]);
  });
});
