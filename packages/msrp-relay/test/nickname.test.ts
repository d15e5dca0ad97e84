// NICKNAME (RFC 7701 §7.1) through the relay: forwarded like any request (RFC 4976 §7.2),
// its Use-Nickname intact, and the focus's answer carried back.
import { describe, expect, it } from 'vitest';
import { NicknameError, type NicknameRequest } from '@msrp-ts/msrp-core';
import { clientOf, startRelay } from './helpers.js';

describe('NICKNAME through a relay', () => {
  it('reaches the focus with its Use-Nickname, and its 200 or 425 comes back', async () => {
    const { relay, uri } = await startRelay();
    const seen: NicknameRequest[] = [];
    const focus = await clientOf('bob', [uri], {
      session: {
        onNickname: (request) => {
          seen.push(request);
          return request.nickname === 'taken' ? 425 : 200;
        },
      },
    });
    const alice = await clientOf('alice', [uri]);
    const room = focus.createSession();
    room.accept();
    const participant = alice.createSession();
    await participant.connect(room.localPath);

    await participant.setNickname('Zoë "the great" \\o/');
    const error = await participant.setNickname('taken').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NicknameError);
    expect((error as NicknameError).status).toBe(425);
    expect(seen.map((r) => r.nickname)).toEqual(['Zoë "the great" \\o/', 'taken']);
    // RFC 4976 §7.1: the relay put itself on the From-Path, before the participant.
    const fromPath = seen[0]!.head.fromPath;
    expect(fromPath.length).toBeGreaterThan(1);
    expect(fromPath[0]!.port).toBe(uri.port);
    expect(fromPath.at(-1)).toEqual(participant.localUri);
    expect(relay.stats.errors.size).toBe(0);
  });
});
