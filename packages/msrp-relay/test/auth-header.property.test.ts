// The Authorization of an AUTH, mangled, as a property. A right answer to the relay's
// challenge is written out as raw text and then changed: changes that keep its meaning
// (order, the case of names and scheme, token or quoted-string, unknown parameters, RFC
// 7235 §2.1 whitespace, RFC 7230 §7 empty list elements) must still get 200; any that breaks it (a parameter missing or
// changed, a wrong one before the right one) gets 401 with a fresh challenge (RFC 4976
// §6.1); text the MSRP grammar cannot read gets 400. Never a crash, a hang or a success.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUri, newTransactionId, type MsrpUri } from '@msrp-ts/msrp-core';
import { answerChallenge, paramValue } from '@msrp-ts/msrp-core/internal';
import { USERS, authRequest, rawClient, startRelay, transact, type RawPeer } from './helpers.js';

interface P {
  name: string;
  value: string;
  quoted: boolean;
  /** Spaces around `=`, before the separator that follows. */
  pad?: [string, string, string];
}

/** A change to the right answer; `label` names it in a counterexample. */
interface Change {
  readonly label: string;
  readonly apply: (ps: P[], algorithm: string) => P[];
}

const TOKEN = /^[!#-'*+\-.0-9A-Z^-~]+$/;
const KNOWN = ['username', 'realm', 'nonce', 'uri', 'response', 'qop', 'nc', 'cnonce', 'algorithm'];
const REQUIRED = KNOWN.filter((n) => n !== 'algorithm');
const ws = fc.constantFrom('', ' ', '  ', '\t', ' \t');
const anyCase = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('é', '"', '\\', 'a,b', ' x ', 'MD5', 'SHA-256', 'auth-int', '00000002'),
  fc.string({ minLength: 2000, maxLength: 4000 }),
);
const quote = (v: string) => `"${v.replace(/[\\"]/g, '\\$&')}"`;
const at = (ps: P[], name: string) => ps.findIndex((p) => p.name.toLowerCase() === name);

const neutral: fc.Arbitrary<Change>[] = [
  fc.nat().map((k) => ({
    label: `rotate ${k}`,
    apply: (ps) => ps.map((_, i) => ps[(i + k) % ps.length]!),
  })),
  fc.constantFrom(...KNOWN).chain((name) =>
    anyCase(name).map((spelled) => ({
      label: `name ${spelled}`,
      apply: (ps: P[]) => ps.map((p) => (p.name === name ? { ...p, name: spelled } : p)),
    })),
  ),
  // RFC 7235 §2.1: a value may be a token or a quoted-string, whichever a parameter is.
  fc.constantFrom(...KNOWN).map((name) => ({
    label: `requote ${name}`,
    apply: (ps: P[]) =>
      ps.map((p) =>
        p.name.toLowerCase() === name && TOKEN.test(p.value) ? { ...p, quoted: !p.quoted } : p,
      ),
  })),
  fc
    .tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), value, fc.boolean(), fc.nat())
    .filter(([name]) => !KNOWN.includes(name))
    .map(([name, v, quoted, where]) => ({
      label: `unknown ${name}`,
      apply: (ps: P[]) => {
        const q = quoted || !TOKEN.test(v);
        const out = [...ps];
        out.splice(where % (ps.length + 1), 0, { name, value: v, quoted: q });
        return out;
      },
    })),
  fc.tuple(fc.constantFrom(...KNOWN), ws, ws, ws).map(([name, a, b, c]) => ({
    label: `pad ${name}`,
    apply: (ps: P[]) =>
      ps.map((p) => (p.name.toLowerCase() === name ? { ...p, pad: [a, b, c] } : p)),
  })),
];

const breaking: fc.Arbitrary<Change>[] = [
  fc.constantFrom(...REQUIRED).map((name) => ({
    label: `drop ${name}`,
    apply: (ps: P[]) => ps.filter((p) => p.name.toLowerCase() !== name),
  })),
  fc.tuple(fc.constantFrom(...KNOWN), value, fc.boolean()).map(([name, v, first]) => ({
    label: `${first ? 'wrong before' : 'change'} ${name}=${JSON.stringify(v.slice(0, 20))}`,
    apply: (ps: P[], algorithm: string) => {
      const i = at(ps, name);
      const old = ps[i]!;
      // A value that means the same (hex in another case, MD5 named twice) is no change.
      const same = (a: string, b: string) =>
        name === 'response' || name === 'algorithm' || name === 'qop'
          ? a.toLowerCase() === b.toLowerCase()
          : a === b;
      const replaced = same(v, old.value) ? `${v}x` : v;
      if (name === 'algorithm' && same(replaced, algorithm)) return ps;
      const wrong = { ...old, value: replaced, quoted: old.quoted || !TOKEN.test(replaced) };
      const out = [...ps];
      if (first) out.splice(i, 0, wrong);
      else out[i] = wrong;
      return out;
    },
  })),
];

/** Text the MSRP grammar cannot read (RFC 4975 §9 quoted-string, token). */
const unreadable = fc.constantFrom(
  (t: string) => `${t}, cnonce="open`,
  (t: string) => `${t}, x="a\\b"`,
  (t: string) => `${t}, x=a"b`,
  (t: string) => `${t} x=1 y=2`,
);

/** With `empties`, the list holds empty elements, which RFC 7230 §7 says to skip. */
function render(scheme: string, ps: P[], empties = false): string {
  const parts = ps.map((p) => {
    const [a, b, c] = p.pad ?? ['', '', ''];
    return `${p.name}${a}=${b}${p.quoted ? quote(p.value) : p.value}${c}`;
  });
  return empties ? `${scheme} , ${parts.join(',, ')} ,` : `${scheme} ${parts.join(', ')}`;
}

/** Sends an AUTH with this Authorization text, raw; resolves with the response. */
async function authWith(peer: RawPeer, relay: MsrpUri, authorization: string) {
  const tid = newTransactionId();
  peer.write(
    `MSRP ${tid} AUTH\r\nTo-Path: ${formatUri(relay)}\r\nFrom-Path: ${formatUri(peer.uri)}\r\n` +
      `Authorization: ${authorization}\r\n-------${tid}$\r\n`,
  );
  return (await peer.response(tid)).head;
}

describe('a mangled Authorization', () => {
  it('gets 200 when its meaning is kept, 401 with a fresh challenge or 400 otherwise', async () => {
    const { relay, uri } = await startRelay({
      limits: {
        maxAuthAttempts: 1_000_000,
        authFailureBurst: 0,
        authUserFailureBurst: 0,
        maxSessionsPerConnection: 1_000_000,
      },
    });
    const peer = await rawClient(uri.port!);
    const { username, password } = USERS[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('SHA-256', 'MD5'),
        fc.constantFrom('Digest', 'digest', 'DIGEST'),
        fc.array(fc.oneof(...neutral), { maxLength: 4 }),
        fc.oneof(fc.constant(undefined), fc.oneof(...breaking)),
        fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, unreadable),
        fc.boolean(),
        async (algorithm, scheme, keeps, breaks, garble, empties) => {
          const challenge = await transact(peer, authRequest(peer, uri));
          expect(challenge.statusCode).toBe(401);
          const offered = (challenge.wwwAuthenticate ?? []).filter(
            (c) => paramValue(c.params, 'algorithm') === algorithm,
          );
          const answer = answerChallenge(offered, { username, password }, formatUri(uri));
          const nonce = paramValue(answer.params, 'nonce');
          let ps: P[] = answer.params.map((p) => ({
            name: p.name,
            value: p.value!,
            quoted: p.quoted === true,
          }));
          const changes = breaks ? [...keeps, breaks] : keeps;
          for (const change of changes) ps = change.apply(ps, algorithm);
          const rendered = render(scheme, ps, empties);
          const text = garble ? garble(rendered) : rendered;
          const response = await authWith(peer, uri, text);
          if (garble) {
            expect(response.statusCode).toBe(400);
          } else if (!breaks) {
            expect(response.statusCode).toBe(200);
            expect(response.usePath).toHaveLength(1);
          } else {
            expect([400, 401]).toContain(response.statusCode);
            if (response.statusCode === 401) {
              const fresh = response.wwwAuthenticate ?? [];
              expect(fresh.length).toBeGreaterThan(0);
              for (const c of fresh) expect(paramValue(c.params, 'nonce')).not.toBe(nonce);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(peer.isClosed).toBe(false);
    expect(relay.sessionCount).toBe(1);
  });
});
