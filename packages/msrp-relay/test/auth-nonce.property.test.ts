// Nonces against a model, as a property: a client answers the relay's challenges with any
// nonce counts, in any order, right or wrong password, while the relay's clock moves on.
// The relay grants exactly what the model says: a nonce count above every one accepted
// before with that nonce (RFC 7616 §3.4: a count not above is a replay, plain 401), within
// the nonce's lifetime (after it, 401 stale=true, RFC 7616 §3.3, for the right password
// only); every refusal carries a fresh challenge.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUri, type AuthHeader } from '@msrp-ts/msrp-core';
import { answerChallenge, paramValue } from '@msrp-ts/msrp-core/internal';
import { USERS, authRequest, rawClient, startRelay, transact } from './helpers.js';

const LIFETIME = 1000;

type Step =
  | { kind: 'challenge' }
  | { kind: 'answer'; nonce: number; nc: number; right: boolean }
  | { kind: 'wait'; ms: number };

const steps = fc.array(
  fc.oneof(
    fc.constant<Step>({ kind: 'challenge' }),
    fc.record({
      kind: fc.constant('answer' as const),
      nonce: fc.nat(),
      nc: fc.integer({ min: 1, max: 6 }),
      right: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 700 }) }),
  ),
  { minLength: 1, maxLength: 20 },
);

const isStale = (c: AuthHeader): boolean => paramValue(c.params, 'stale') === 'true';

describe('nonce counts and lifetimes', () => {
  it('are accepted exactly as the model says', async () => {
    const clock = { t: Date.now() };
    const { uri } = await startRelay({
      nonceLifetime: LIFETIME,
      now: () => clock.t,
      limits: { maxAuthAttempts: 1_000_000, authFailureBurst: 0, authUserFailureBurst: 0 },
    });
    const { username, password } = USERS[0]!;
    await fc.assert(
      fc.asyncProperty(steps, async (plan) => {
        const peer = await rawClient(uri.port!);
        try {
          // The challenges this run got: their headers, issue time, highest count accepted.
          const nonces: { challenges: readonly AuthHeader[]; issued: number; top: number }[] = [];
          const challenge = async () => {
            const r = await transact(peer, authRequest(peer, uri));
            expect(r.statusCode).toBe(401);
            nonces.push({ challenges: r.wwwAuthenticate!, issued: clock.t, top: 0 });
          };
          await challenge();
          for (const step of plan) {
            if (step.kind === 'challenge') await challenge();
            if (step.kind === 'wait') clock.t += step.ms;
            if (step.kind !== 'answer') continue;
            const n = nonces[step.nonce % nonces.length]!;
            const account = { username, password: step.right ? password : 'wrong' };
            const authorization = answerChallenge(n.challenges, account, formatUri(uri), step.nc);
            const r = await transact(peer, authRequest(peer, uri, { authorization }));
            const fresh = clock.t - n.issued <= LIFETIME;
            if (step.right && fresh && step.nc > n.top) {
              expect(r.statusCode).toBe(200);
              n.top = step.nc;
              continue;
            }
            expect(r.statusCode).toBe(401);
            const again = r.wwwAuthenticate ?? [];
            expect(again.length).toBeGreaterThan(0);
            // Stale only when the password was right and the nonce alone too old.
            expect(again.every(isStale)).toBe(step.right && !fresh);
            expect(again.some(isStale)).toBe(step.right && !fresh);
            // A challenge answered by a refusal is one more nonce to answer.
            nonces.push({ challenges: again, issued: clock.t, top: 0 });
          }
        } finally {
          peer.destroy();
        }
      }),
      { numRuns: 60 },
    );
  });
});
