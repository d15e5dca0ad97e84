// The answer to a pull (RFC 5547 §8: a recvonly offer answered sendonly) repeats the offer's
// a=file-transfer-id, as the answer to a push does (offer-answer.test.ts): one with another id,
// or none, serves some other transfer, or none in particular, not the one the offer asked for.
import { describe, expect, it } from 'vitest';
import { createAnswer, negotiate } from '../src/index.js';
import { crlf, RFC5547_PULL } from './fixtures.js';

const BOB = 'msrp://192.0.2.2:8000/bob1;tcp';
const ID_LINE = 'a=file-transfer-id:Aq3fxE39dfRdG3mUpqD3j6Q7';

/** Bob's answer serving the pulled file (sendonly), as lines; it repeats the offer's id. */
function servedAnswer(offer: readonly string[]): string[] {
  const answer = createAnswer(crlf(offer), {
    localUri: BOB,
    acceptTypes: ['*'],
    serveFile: (requested) => ({
      selector: { ...requested.selector, size: 32349, type: 'image/jpeg' },
    }),
  });
  if (!answer.accepted) throw new Error(`rejected: ${answer.reason}`);
  return answer.sdp.split('\r\n');
}

describe('the file-transfer-id of a pull answer', () => {
  it('is taken when it repeats the offer’s', () => {
    const answer = servedAnswer(RFC5547_PULL);
    expect(answer).toContain('a=sendonly');
    expect(answer).toContain(ID_LINE);
    expect(negotiate(crlf(RFC5547_PULL), answer.join('\r\n'))).toMatchObject({
      accepted: true,
      file: { mode: 'pull', sender: 'answerer' },
    });
  });

  it('makes a Rejection when it is another one', () => {
    const other = servedAnswer(RFC5547_PULL).map((l) =>
      l === ID_LINE ? 'a=file-transfer-id:other1' : l,
    );
    expect(negotiate(crlf(RFC5547_PULL), other.join('\r\n'))).toEqual({
      accepted: false,
      mediaIndex: 0,
      reason:
        'the answer did not repeat the file-transfer-id Aq3fxE39dfRdG3mUpqD3j6Q7 (it has other1)',
    });
  });

  it('makes a Rejection when the answer has none', () => {
    const none = servedAnswer(RFC5547_PULL).filter((l) => l !== ID_LINE);
    expect(negotiate(crlf(RFC5547_PULL), none.join('\r\n'))).toEqual({
      accepted: false,
      mediaIndex: 0,
      reason:
        'the answer did not repeat the file-transfer-id Aq3fxE39dfRdG3mUpqD3j6Q7 (it has none)',
    });
  });

  it('is not asked for when the offer has none', () => {
    const bare = RFC5547_PULL.filter((l) => l !== ID_LINE);
    const none = servedAnswer(bare).filter((l) => !l.startsWith('a=file-transfer-id'));
    expect(negotiate(crlf(bare), none.join('\r\n')).accepted).toBe(true);
  });
});
