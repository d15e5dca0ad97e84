// A correct client always gets in, as a property: msrp-core's RelayRegistration against real
// relays, for any username, password and realm (quotes, backslashes, commas, spaces,
// non-ASCII: what a quoted-string must carry, RFC 7616 §3.4), any algorithm the store lets
// the relay offer, and any Expires: the relay grants it within its bounds, or the bound it
// crossed after a 423 (RFC 4976 §6.1). The Use-Path is the relay's URI for the client (through
// a chain, each relay's), which a refresh keeps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestHa1, formatUri } from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore, type UserCredential } from '../src/index.js';
import { USERS, endpoint } from './helpers.js';

/** Text a quoted-string carries: printable ASCII (with `"` and `\`) and non-ASCII. */
const text = (minLength: number) =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom('"', '\\', ',', ' ', '=', ';', '\t'),
        fc.string({ minLength: 1, maxLength: 1 }),
        fc.constantFrom('é', 'ß', '日', '😀'),
      ),
      { minLength, maxLength: 24 },
    )
    .map((parts) => parts.join(''))
    // A header value cannot end or start in whitespace without it being trimmed away.
    .filter((s) => s.trim() === s && s.length >= minLength);

/** A relay's Expires bounds: minExpires <= defaultExpires <= maxExpires. */
const bounds = fc
  .tuple(fc.integer({ min: 1, max: 4000 }), fc.nat(5000), fc.nat(5000))
  .map(([min, d, m]) => [min, min + Math.min(d, m), min + Math.max(d, m)] as const);

/** What a relay with `bounds` grants an AUTH asking for `expires` (RFC 4976 §6.1, 423). */
const grant = ([min, fallback, max]: readonly [number, number, number], expires?: number) =>
  expires === undefined ? fallback : Math.min(max, Math.max(min, expires));

const asked = fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined });

/** How the store knows the user: by password, or by the HA1 of one algorithm or both. */
const stores = fc.constantFrom('password', 'MD5', 'SHA-256', 'both');

describe('a correct client (RelayRegistration) against a relay', () => {
  it('always authenticates, granted its Expires within the bounds, with a Use-Path to the relay', async () => {
    await fc.assert(
      fc.asyncProperty(
        text(1),
        text(0),
        text(1),
        stores,
        bounds,
        asked,
        async (username, password, realm, kind, [min, fallback, max], expires) => {
          const user: UserCredential =
            kind === 'password'
              ? { username, password }
              : {
                  username,
                  realm,
                  ha1: Object.fromEntries(
                    (kind === 'both' ? (['MD5', 'SHA-256'] as const) : [kind]).map((a) => [
                      a,
                      digestHa1(a, username, realm, password),
                    ]),
                  ),
                };
          const relay = new Relay({
            credentials: new StaticCredentialStore([user]),
            realm,
            minExpires: min,
            maxExpires: max,
            defaultExpires: fallback,
          });
          try {
            const uri = await relay.listen({ host: '127.0.0.1', port: 0 });
            const client = endpoint({ relays: [{ uri, username, password, expires }] });
            try {
              const usePath = await client.authenticate();
              // Out of bounds, the relay answered 423 with the bound crossed and the client
              // asked again within it (RFC 4976 §6.1).
              expect(client.registration?.expires).toBe(grant([min, fallback, max], expires));
              expect(usePath).toHaveLength(1);
              const [use] = usePath;
              expect([use!.host, use!.port, use!.transport]).toEqual([
                '127.0.0.1',
                uri.port,
                'tcp',
              ]);
              expect(use!.sessionId).toMatch(/^[0-9a-f]{24}$/);
              expect(relay.sessionCount).toBe(1);
              expect(relay.stats.authFailures.size).toBe(0);
              // A refresh (what the registration's timer does) keeps the same relay session.
              const again = await client.registration!.authenticate();
              expect(again.map(formatUri)).toEqual(usePath.map(formatUri));
              expect(relay.sessionCount).toBe(1);
              expect(relay.stats.authSuccesses).toBe(2);
            } finally {
              await client.close();
            }
          } finally {
            await relay.close(1000);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('through two relays: a Use-Path via both, the shorter grant, kept by a refresh', async () => {
    const { username, password } = USERS[0]!;
    await fc.assert(
      fc.asyncProperty(bounds, bounds, asked, asked, async (boundsA, boundsB, askA, askB) => {
        const relays = [boundsA, boundsB].map(
          ([minExpires, defaultExpires, maxExpires]) =>
            new Relay({
              credentials: new StaticCredentialStore(USERS),
              minExpires,
              maxExpires,
              defaultExpires,
            }),
        );
        try {
          const [a, b] = await Promise.all(
            relays.map((r) => r.listen({ host: '127.0.0.1', port: 0 })),
          );
          const client = endpoint({
            relays: [
              { uri: a!, username, password, expires: askA },
              { uri: b!, username, password, expires: askB },
            ],
          });
          try {
            // RFC 4976 §5.1: the second AUTH goes through A; the Use-Path names A then B.
            const usePath = await client.authenticate();
            expect(usePath.map((u) => u.port)).toEqual([a!.port, b!.port]);
            const expires = Math.min(grant(boundsA, askA), grant(boundsB, askB));
            expect(client.registration?.expires).toBe(expires);
            const again = await client.registration!.authenticate();
            expect(again.map(formatUri)).toEqual(usePath.map(formatUri));
            expect(relays.map((r) => r.sessionCount)).toEqual([1, 1]);
          } finally {
            await client.close();
          }
        } finally {
          await Promise.all(relays.map((r) => r.close(1000)));
        }
      }),
      { numRuns: 15 },
    );
  });
});
