// A relay for the tests that run `msrp ... --relay` as processes: alice (password a-pw) and
// bob (b-pw) on a loopback port, closed when the test ends.
import type { onTestFinished } from 'vitest';
import { formatUri } from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';

/** The relay's URI, and the `msrp` flags that reach it as `user`. */
export async function cliRelay(
  finished: typeof onTestFinished,
): Promise<{ relayUri: string; account: (user: 'alice' | 'bob') => string[] }> {
  const relay = new Relay({
    credentials: new StaticCredentialStore([
      { username: 'alice', password: 'a-pw' },
      { username: 'bob', password: 'b-pw' },
    ]),
  });
  finished(() => relay.close(1000));
  const relayUri = formatUri(await relay.listen({ host: '127.0.0.1', port: 0 }));
  const account = (user: 'alice' | 'bob'): string[] => [
    '--relay',
    relayUri,
    '--user',
    user,
    '--password',
    `${user[0]}-pw`,
  ];
  return { relayUri, account };
}
