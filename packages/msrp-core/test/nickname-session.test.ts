// Nicknames (RFC 7701 §7.1) between two endpoints over an in-memory pair: a participant's
// setNickname() and the focus's onNickname handler; bad NICKNAME requests from a raw peer.
import { describe, expect, it } from 'vitest';
import {
  Endpoint,
  MsrpError,
  NicknameError,
  Parser,
  encodeFrame,
  newTransactionId,
  type NicknameHandler,
  type NicknameRequest,
  type ResponseHead,
  type Session,
} from '../src/index.js';
import { Collector } from './helpers/collect.js';
import { next } from './helpers/inbox.js';
import { memoryPair } from './helpers/memory-pair.js';
import { noEvents } from './helpers/no-events.js';
import { cleanups } from './helpers/cleanups.js';

/** A focus endpoint (with `onNickname` on its sessions) and a participant that dials it. */
function endpoints(onNickname?: NicknameHandler) {
  const focus = new Endpoint({
    host: 'chat.example.com',
    ...(onNickname && { session: { onNickname } }),
  });
  const participant = new Endpoint({
    dialers: {
      msrp: () => {
        const [ours, theirs] = memoryPair();
        focus.acceptConnection(theirs, 'participant');
        return Promise.resolve(ours);
      },
    },
  });
  cleanups.push(
    () => participant.close(),
    () => focus.close(),
  );
  return { focus, participant };
}

/** The participant's session connected to a focus session. */
async function joined(onNickname?: NicknameHandler) {
  const { focus, participant } = endpoints(onNickname);
  const room = focus.createSession();
  room.accept();
  const alice: Session = participant.createSession();
  await alice.connect([room.localUri]);
  return { focus, participant, room, alice };
}

async function refusal(promise: Promise<unknown>): Promise<NicknameError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NicknameError);
  return error as NicknameError;
}

describe('setNickname and onNickname (RFC 7701 §7.1)', () => {
  it('sends NICKNAME with Use-Nickname; the focus sees it and grants it with 200', async () => {
    const seen: NicknameRequest[] = [];
    const { alice } = await joined((request) => {
      seen.push(request);
      return 200;
    });
    await alice.setNickname('Alice the great');
    await alice.setNickname('Zoë "the" \\ one'); // §7.2: again to change it
    expect(seen.map((r) => r.nickname)).toEqual(['Alice the great', 'Zoë "the" \\ one']);
    expect(seen[0]!.head.method).toBe('NICKNAME');
    expect(seen[0]!.head.fromPath).toEqual([alice.localUri]);
    expect(seen[0]!.head.messageId).toBeUndefined();
    expect(seen[0]!.head.contentType).toBeUndefined();
  });

  it('rejects with NicknameError carrying 425 and its reason phrase, from an async handler', async () => {
    const taken = new Set(['bob']);
    const { alice } = await joined(async ({ nickname }) => {
      await Promise.resolve();
      return taken.has(nickname.toLowerCase()) ? 425 : 200;
    });
    const error = await refusal(alice.setNickname('Bob'));
    expect(error.status).toBe(425);
    expect(error.code).toBe('MSRP_ERR_REMOTE');
    expect(error.nickname).toBe('Bob');
    expect(error.comment).toBe('Nickname reserved or already in use');
    expect(error).toBeInstanceOf(MsrpError);
    await alice.setNickname('Alice');
  });

  it('passes the handler’s own comment: 424 for a malformed nickname', async () => {
    const { alice } = await joined(({ nickname }) =>
      nickname.includes('\t') ? { status: 424, comment: 'No tabs' } : 200,
    );
    const error = await refusal(alice.setNickname('tab\there'));
    expect([error.status, error.comment]).toEqual([424, 'No tabs']);
  });

  it('answers 501 without a handler, and the session carries on', async () => {
    const { room, alice } = await joined();
    const error = await refusal(alice.setNickname('Alice'));
    expect(error.status).toBe(501);
    await alice.send('still here');
    expect((await next(room[Symbol.asyncIterator]())).text()).toBe('still here');
  });

  it('answers 403 when the handler throws, rejects, or returns a status the wire cannot carry', async () => {
    const answers: Array<() => ReturnType<NicknameHandler>> = [
      () => {
        throw new Error('bug');
      },
      () => Promise.reject(new Error('bug')),
      () => 42,
      () => ({ status: 1000 }),
    ];
    let i = 0;
    const { alice } = await joined(() => answers[i++]!());
    for (let n = 0; n < answers.length; n++) {
      expect((await refusal(alice.setNickname('Alice'))).status).toBe(403);
    }
  });

  it('refuses locally, sending nothing: unbound sessions and nicknames with control characters', async () => {
    let calls = 0;
    const { participant, alice } = await joined(() => {
      calls++;
      return 200;
    });
    await expect(participant.createSession().setNickname('Alice')).rejects.toMatchObject({
      code: 'MSRP_ERR_SESSION',
    });
    for (const bad of ['a\r\nX-Forged: 1', 'nul\0']) {
      await expect(alice.setNickname(bad)).rejects.toMatchObject({
        code: 'MSRP_ERR_INVALID_ARGUMENT',
      });
    }
    await alice.close();
    await expect(alice.setNickname('Alice')).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
    expect(calls).toBe(0);
  });
});

/** A raw peer on the focus: writes frames as given, collects the responses it gets. */
function rawPeer(focus: Endpoint) {
  const [ours, theirs] = memoryPair();
  const sink = new Collector();
  const parser = new Parser(sink);
  ours.open({ ...noEvents, data: (bytes) => parser.push(bytes) });
  focus.acceptConnection(theirs, 'raw');
  cleanups.push(() => ours.destroy());
  const response = async (tid: string): Promise<ResponseHead> => {
    for (let i = 0; i < 200; i++) {
      const found = sink.events.find(
        (e) => e.type === 'head' && e.head.kind === 'response' && e.head.transactionId === tid,
      );
      if (found?.type === 'head') return found.head as ResponseHead;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`no response to ${tid}`);
  };
  return { write: (text: string) => ours.write([Buffer.from(text, 'utf8')]), ours, response };
}

describe('bad NICKNAME requests (RFC 7701 §7.1, RFC 4975 §7.3)', () => {
  const from = 'msrp://raw.example.com:7777/rawpeer1;tcp';

  function nickname(tid: string, to: string, header: string | undefined): string {
    const lines = [`MSRP ${tid} NICKNAME`, `To-Path: ${to}`, `From-Path: ${from}`];
    if (header !== undefined) lines.push(header);
    return `${lines.join('\r\n')}\r\n-------${tid}$\r\n`;
  }

  it('answers 400 without Use-Nickname, 424 for a malformed one, 481 for an unknown session', async () => {
    let calls = 0;
    const { focus } = endpoints(() => {
      calls++;
      return 200;
    });
    const room = focus.createSession();
    room.accept();
    const to = `msrp://chat.example.com:2855/${room.localUri.sessionId};tcp`;
    const peer = rawPeer(focus);
    peer.write(nickname('tid00001', to, undefined));
    expect((await peer.response('tid00001')).statusCode).toBe(400);
    const unknown = to.replace(room.localUri.sessionId!, 'nosuchsession');
    peer.write(nickname('tid00002', unknown, 'Use-Nickname: "x"'));
    expect((await peer.response('tid00002')).statusCode).toBe(481);
    // RFC 7701 §7.1: a nickname that is no quoted-string, or empty, is a malformed nickname
    // (424), which the participant may follow with another on the same connection.
    peer.write(nickname('tid00003', to, 'Use-Nickname: Alice'));
    const malformed = await peer.response('tid00003');
    expect([malformed.statusCode, malformed.comment]).toEqual([424, 'Malformed nickname']);
    peer.write(nickname('tid00004', to, 'Use-Nickname: "  "'));
    expect((await peer.response('tid00004')).statusCode).toBe(424);
    expect(calls).toBe(0);
    peer.write(nickname('tid00005', to, 'Use-Nickname: "Alice"'));
    expect((await peer.response('tid00005')).statusCode).toBe(200);
    expect(calls).toBe(1);
  });

  it('lets a well-formed NICKNAME from a raw peer reach the handler', async () => {
    const { focus } = endpoints(({ nickname }) => (nickname === 'Raw' ? 200 : 425));
    const room = focus.createSession();
    room.accept();
    const peer = rawPeer(focus);
    const head = {
      kind: 'request' as const,
      method: 'NICKNAME',
      transactionId: newTransactionId(),
      toPath: [room.localUri],
      fromPath: [{ ...room.localUri, host: 'raw.example.com', sessionId: 'rawpeer1' }],
      useNickname: 'Raw',
    };
    peer.ours.write(encodeFrame(head));
    expect((await peer.response(head.transactionId)).statusCode).toBe(200);
  });
});
