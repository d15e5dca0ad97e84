// The digest-uri of an AUTH names the relay it is sent to (RFC 4976 §5.1), as the client
// wrote it in To-Path. It designates the same relay when it is the same URI by RFC 4975
// §6.1 (scheme and host case-insensitively), whatever its spelling (RFC 7616 §3.4.6).
import { describe, expect, it } from 'vitest';
import { formatUri, newTransactionId, type MsrpUri, type ResponseHead } from '@msrp-ts/msrp-core';
import { answerChallenge } from '@msrp-ts/msrp-core/internal';
import { USERS, rawClient, startRelay, type RawPeer } from './helpers.js';

/** An AUTH whose To-Path is `toPath` as written, with this Authorization, if any. */
async function auth(peer: RawPeer, toPath: string, authorization?: string): Promise<ResponseHead> {
  const tid = newTransactionId();
  peer.write(
    `MSRP ${tid} AUTH\r\nTo-Path: ${toPath}\r\nFrom-Path: ${formatUri(peer.uri)}\r\n` +
      (authorization ? `Authorization: ${authorization}\r\n` : '') +
      `-------${tid}$\r\n`,
  );
  return (await peer.response(tid)).head;
}

const format = (h: { scheme: string; params: readonly { name: string; value?: string }[] }) =>
  `${h.scheme} ${h.params.map((p) => `${p.name}="${p.value}"`).join(', ')}`;

describe('the digest-uri of an AUTH', () => {
  it('is checked as a URI: another spelling of the relay To-Path names is the same relay', async () => {
    const { relay, uri } = await startRelay();
    const peer = await rawClient(uri.port!);
    const { username, password } = USERS[0]!;
    const answer = async (toPath: string, digestUri: string) => {
      const challenge = await auth(peer, toPath);
      expect(challenge.statusCode).toBe(401);
      const a = answerChallenge(challenge.wwwAuthenticate!, { username, password }, digestUri);
      return (await auth(peer, toPath, format(a))).statusCode;
    };
    const written = formatUri(uri);
    const upper = written.replace('msrp://', 'MSRP://').replace(';tcp', ';TCP');
    // As the client wrote it in To-Path, and as another client might spell that URI.
    expect(await answer(upper, upper)).toBe(200);
    expect(await answer(written, upper)).toBe(200);
    // Not the relay it was sent to: another port, a session-id, not a URI at all. RFC 7616
    // §3.4.6: not the resource of the request, 400 (a new challenge would not help).
    const other: MsrpUri = { ...uri, port: uri.port! + 1 };
    expect(await answer(written, formatUri(other))).toBe(400);
    expect(await answer(written, formatUri({ ...uri, sessionId: 'abcd1234' }))).toBe(400);
    expect(await answer(written, 'relay')).toBe(400);
    expect(relay.stats.authFailures.get('uri')).toBe(3);
  });
});
