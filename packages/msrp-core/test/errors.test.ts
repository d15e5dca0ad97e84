// Every RFC 4975 error path on real loopback sockets: a hand-written raw peer (helpers/
// raw-peer.ts) plays the misbehaving side against an Endpoint; plus TLS and CEMA matching.
import { randomBytes } from 'node:crypto';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../src/index.js';
import {
  nextEvent,
  DeliveryError,
  MsrpError,
  certificateFingerprint,
  newSessionId,
  type CreateSessionOptions,
  type EndpointOptions,
  type MsrpUri,
  type Session,
} from '../src/index.js';
import { encodeHead } from '../src/internal.js';
import { RawPeer, RawServer, type RawRequest } from './helpers/raw-peer.js';
import { next, type Inbox } from './helpers/inbox.js';
import { until } from './helpers/socket-pair.js';
import { cleanups, endpoint } from './helpers/cleanups.js';

// ---- resources, closed after every test (last opened, first closed) ---------------------

async function rawPeer(port: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  cleanups.push(() => peer.destroy());
  return peer;
}

async function rawServer(...args: Parameters<typeof RawServer.listen>): Promise<RawServer> {
  const server = await RawServer.listen(...args);
  cleanups.push(() => server.close());
  return server;
}

// ---- helpers ------------------------------------------------------------------------------

/** Resolves with the error a promise rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
}

interface Listening {
  endpoint: Endpoint;
  port: number;
  session: Session;
  inbox: Inbox;
  /** Errors the endpoint reported about peers. */
  peerErrors: MsrpError[];
}

/** An endpoint listening on loopback with one session waiting for its peer. */
async function listening(
  session: CreateSessionOptions = {},
  options: EndpointOptions = {},
): Promise<Listening> {
  const e = endpoint(options);
  const peerErrors: MsrpError[] = [];
  e.on('peerError', (error) => peerErrors.push(error));
  const port = (await e.listen()).port!;
  const s = e.createSession(session);
  s.accept();
  return { endpoint: e, port, session: s, inbox: s[Symbol.asyncIterator](), peerErrors };
}

/** A request written by hand, for what the encoder refuses to produce. */
function handWritten(
  tid: string,
  method: string,
  headers: readonly string[],
  body?: string,
): string {
  const head = [`MSRP ${tid} ${method}`, ...headers].join('\r\n');
  return body === undefined
    ? `${head}\r\n-------${tid}$\r\n`
    : `${head}\r\n\r\n${body}\r\n-------${tid}$\r\n`;
}

function pathHeaders(to: MsrpUri, raw: RawPeer): string[] {
  const fmt = (u: MsrpUri): string => `msrp://${u.host}:${u.port}/${u.sessionId};tcp`;
  return [`To-Path: ${fmt(to)}`, `From-Path: ${fmt(raw.uri)}`];
}

// ---- 400 ----------------------------------------------------------------------------------

describe('400 Bad Request', () => {
  it('answers a SEND without Message-ID with 400 and keeps the connection', async () => {
    const { port, session, inbox } = await listening();
    const raw = await rawPeer(port);
    const bad = await raw.transact({ toPath: [session.localUri], messageId: null, body: 'x' });
    expect(bad.head.statusCode).toBe(400);
    // RFC 4975 §7.2: the response goes back to the first From-Path URI.
    expect(bad.head.toPath[0]?.sessionId).toBe(raw.sessionId);
    const good = await raw.transact({ toPath: [session.localUri], body: 'fine' });
    expect(good.head.statusCode).toBe(200);
    const message = await next(inbox);
    expect(message.text()).toBe('fine');
    expect(raw.isClosed).toBe(false);
  });

  it.each([
    ['a Byte-Range ending before it starts', 'Byte-Range: 5-2/10'],
    ['a Byte-Range that is not numbers', 'Byte-Range: one-two/three'],
    ['a Byte-Range past its total', 'Byte-Range: 1-20/10'],
    ['a bad Failure-Report value', 'Failure-Report: maybe'],
    ['a Message-ID with a space', 'Message-ID: two words'],
    ['a duplicate header', 'Failure-Report: yes\r\nFailure-Report: no'],
  ])(
    'answers a request with %s with 400 and reads on: the frame is skipped whole',
    async (_, header) => {
      const { port, session, peerErrors, inbox } = await listening();
      const raw = await rawPeer(port);
      const headers = [...pathHeaders(session.localUri, raw)];
      if (!header.startsWith('Message-ID')) headers.push('Message-ID: abc123');
      headers.push(header, 'Content-Type: text/plain');
      // Its body holds what looks like a frame: skipped as body, not read as one.
      raw.write(handWritten('tid400x', 'SEND', headers, 'MSRP x SEND\r\n\r\n'));
      const response = await raw.response('tid400x');
      expect(response.head.statusCode).toBe(400);
      expect(peerErrors[0]!.status).toBe(400);
      // A header value is not framing: one bad request costs its 400, not the connection
      // (through a relay, the connection of every session behind it).
      const good = await raw.transact({ toPath: [session.localUri], body: 'fine' });
      expect(good.head.statusCode).toBe(200);
      expect((await next(inbox)).text()).toBe('fine');
      expect(raw.isClosed).toBe(false);
    },
  );
});

// ---- 413 ----------------------------------------------------------------------------------

describe('413 Stop Sending Message', () => {
  it('refuses a message whose Byte-Range total exceeds maxSize', async () => {
    const { port, session } = await listening({ maxSize: 1000 });
    const raw = await rawPeer(port);
    const response = await raw.transact({
      toPath: [session.localUri],
      byteRange: { start: 1, end: 10, total: 1001 },
      body: '0123456789',
      flag: '+',
    });
    expect(response.head.statusCode).toBe(413);
    // A message of exactly maxSize is fine.
    const ok = await raw.transact({ toPath: [session.localUri], body: Buffer.alloc(1000, 0x61) });
    expect(ok.head.statusCode).toBe(200);
  });

  it('refuses a message of unknown total once it grows past maxSize', async () => {
    const { port, session, inbox } = await listening({ maxSize: 1000 });
    const raw = await rawPeer(port);
    const messageId = 'growing1';
    const first = await raw.transact({
      toPath: [session.localUri],
      messageId,
      byteRange: { start: 1, end: 600, total: '*' },
      body: Buffer.alloc(600, 0x61),
      flag: '+',
    });
    expect(first.head.statusCode).toBe(200);
    const second = await raw.transact({
      toPath: [session.localUri],
      messageId,
      byteRange: { start: 601, end: 1200, total: '*' },
      body: Buffer.alloc(600, 0x62),
      flag: '+',
    });
    expect(second.head.statusCode).toBe(413);
    // The connection and the session go on.
    const ok = await raw.transact({ toPath: [session.localUri], body: 'small' });
    expect(ok.head.statusCode).toBe(200);
    let message = await next(inbox);
    if (message.messageId === messageId) {
      expect(message.aborted).toBe(true);
      message = await next(inbox);
    }
    expect(message.text()).toBe('small');
  });

  it('makes a library sender fail with a DeliveryError of status 413', async () => {
    const { session: passive } = await listening({ maxSize: 1000 });
    const a = endpoint();
    const active = a.createSession();
    await active.connect([passive.localUri]);
    const error = await failure(active.send(randomBytes(5000)));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ status: 413, confirmedBytes: 0 });
  });
});

// ---- 415 ----------------------------------------------------------------------------------

describe('415 Unsupported Media Type', () => {
  it('refuses content types outside acceptTypes and accepts wildcard matches', async () => {
    const { port, session, inbox } = await listening({
      acceptTypes: ['text/*', 'application/json'],
    });
    const raw = await rawPeer(port);
    const cases: Array<[type: string, status: number]> = [
      ['text/plain', 200],
      ['text/html;charset=utf-8', 200],
      ['TEXT/Enriched', 200],
      ['application/json', 200],
      ['image/png', 415],
      ['application/xml', 415],
      ['application/json-seq', 415],
      // The type accepted last is remembered: another is still checked.
      ['text/plain', 200],
      ['image/png', 415],
    ];
    for (const [contentType, status] of cases) {
      const response = await raw.transact({
        toPath: [session.localUri],
        contentType,
        body: contentType,
      });
      expect(response.head.statusCode, contentType).toBe(status);
    }
    const accepted = cases.filter(([, s]) => s === 200).map(([t]) => t);
    for (const type of accepted) expect((await next(inbox)).text()).toBe(type);
  });

  it('makes a library sender fail with a DeliveryError of status 415', async () => {
    const { session: passive } = await listening({ acceptTypes: ['text/plain'] });
    const a = endpoint();
    const active = a.createSession();
    await active.connect([passive.localUri]);
    await expect(active.send('{}', { contentType: 'application/json' })).rejects.toMatchObject({
      status: 415,
    });
    expect((await active.send('plain is fine')).bytes).toBe(13);
  });
});

// ---- 481, 501, 506 ------------------------------------------------------------------------

describe('481, 501, 506', () => {
  it('answers a To-Path naming no session with 481', async () => {
    const { port, session } = await listening();
    const raw = await rawPeer(port);
    const unknown: MsrpUri = { ...session.localUri, sessionId: newSessionId() };
    const response = await raw.transact({ toPath: [unknown], body: 'anyone?' });
    expect(response.head.statusCode).toBe(481);
    expect(response.head.fromPath[0]?.sessionId).toBe(unknown.sessionId);
    expect(response.head.toPath[0]?.sessionId).toBe(raw.sessionId);
    // Same session-id on another port is another URI (RFC 4975 §6.1).
    const otherPort: MsrpUri = { ...session.localUri, port: session.localUri.port! + 1 };
    expect((await raw.transact({ toPath: [otherPort], body: 'x' })).head.statusCode).toBe(481);
    // A closed session no longer exists.
    await session.close();
    expect((await raw.transact({ toPath: [session.localUri], body: 'x' })).head.statusCode).toBe(
      481,
    );
  });

  it('answers an unknown method with 501 and keeps the connection', async () => {
    const { port, session } = await listening();
    const raw = await rawPeer(port);
    raw.write(handWritten('abcd1234', 'FOO', pathHeaders(session.localUri, raw)));
    const response = await raw.response('abcd1234');
    expect(response.head.statusCode).toBe(501);
    const ok = await raw.transact({ toPath: [session.localUri], body: 'still here' });
    expect(ok.head.statusCode).toBe(200);
  });

  it('binds a waiting session by its first SEND, not by a REPORT from another connection', async () => {
    // RFC 4975 §5.4: "The first SEND request serves to bind a connection to an MSRP session
    // from the perspective of the passive endpoint"; a REPORT is dropped, unanswered.
    const { port, session, inbox } = await listening();
    const stranger = await rawPeer(port);
    const status = { namespace: '000', code: 200 };
    stranger.sendRequest({
      method: 'REPORT',
      messageId: 'report1',
      status,
      toPath: [session.localUri],
    });
    // Requests are handled in order: once this 481 is in, the REPORT was routed.
    const nowhere: MsrpUri = { ...session.localUri, sessionId: newSessionId() };
    expect((await stranger.transact({ toPath: [nowhere] })).head.statusCode).toBe(481);
    expect(session.state).toBe('waiting');
    const a = endpoint();
    const peer = a.createSession();
    await peer.connect([session.localUri]);
    await peer.send('the real peer');
    expect((await next(inbox)).text()).toBe('the real peer');
  });

  it('answers a SEND from a second connection to a bound session with 506', async () => {
    const { port, session, inbox } = await listening();
    const first = await rawPeer(port);
    const second = await rawPeer(port);
    expect(
      (await first.transact({ toPath: [session.localUri], body: 'one' })).head.statusCode,
    ).toBe(200);
    const intruder = await second.transact({ toPath: [session.localUri], body: 'two' });
    expect(intruder.head.statusCode).toBe(506);
    expect(
      (await first.transact({ toPath: [session.localUri], body: 'three' })).head.statusCode,
    ).toBe(200);
    expect((await next(inbox)).text()).toBe('one');
    expect((await next(inbox)).text()).toBe('three');
  });
});

// ---- 408 ----------------------------------------------------------------------------------

describe('408 on a silent peer', () => {
  it('fails connect() with 408 when the binding SEND is never answered', async () => {
    const server = await rawServer();
    const a = endpoint({ timeout: 300 });
    const session = a.createSession();
    const error = await failure(session.connect([server.uri()]));
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_TIMEOUT', status: 408 });
    expect(session.state).toBe('closed');
  });

  it('rejects send() with status 408 when its chunks are never answered', async () => {
    let bound = false;
    const server = await rawServer({
      onFrame: (frame, raw) => {
        if (!bound && frame.head.kind === 'request') {
          bound = true;
          raw.respond(frame as RawRequest); // answer the binding SEND only
        }
      },
    });
    const a = endpoint({ timeout: 300 });
    const session = a.createSession();
    await session.connect([server.uri()]);
    const error = await failure(session.send('hello?'));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_TIMEOUT', status: 408, confirmedBytes: 0 });
    const raw = await server.peer();
    expect(raw.requests.at(-1)?.body.toString()).toBe('hello?');
  });
});

// ---- Failure-Report -----------------------------------------------------------------------

describe('Failure-Report', () => {
  it('sends no response for "no" and only failures for "partial"', async () => {
    const { port, session, inbox } = await listening({ acceptTypes: ['text/plain'] });
    const raw = await rawPeer(port);
    const to = [session.localUri];
    const noOk = raw.sendRequest({ toPath: to, failureReport: 'no', body: 'no, ok' });
    const noBad = raw.sendRequest({
      toPath: to,
      failureReport: 'no',
      contentType: 'image/png',
      body: 'no, refused',
    });
    const partialOk = raw.sendRequest({
      toPath: to,
      failureReport: 'partial',
      body: 'partial, ok',
    });
    const partialBad = raw.sendRequest({
      toPath: to,
      failureReport: 'partial',
      contentType: 'image/png',
      body: 'partial, refused',
    });
    // RFC 4975 §7.1.2: REPORTs get no response, even to an unknown session.
    const status = { namespace: '000', code: 200 };
    const report = { method: 'REPORT', messageId: 'report1', status } as const;
    const reportOk = raw.sendRequest({ ...report, toPath: to });
    const reportUnknown = raw.sendRequest({
      ...report,
      toPath: [{ ...session.localUri, sessionId: newSessionId() }],
    });
    const yes = raw.sendRequest({ toPath: to, body: 'yes' });
    // Responses come in order; once the last one is in, every earlier one would be too.
    await raw.response(yes.transactionId);
    const answered = raw.responses.map((r) => [r.head.transactionId, r.head.statusCode]);
    expect(answered).toEqual([
      [partialBad.transactionId, 415],
      [yes.transactionId, 200],
    ]);
    for (const silent of [noOk, noBad, partialOk, reportOk, reportUnknown]) {
      expect(answered.map(([tid]) => tid)).not.toContain(silent.transactionId);
    }
    expect((await next(inbox)).text()).toBe('no, ok');
    expect((await next(inbox)).text()).toBe('partial, ok');
    expect((await next(inbox)).text()).toBe('yes');
  });
});

// ---- a bad peer hurts only its own session -----------------------------------------------

describe('isolation', () => {
  const misbehaviours: Array<[name: string, act: (raw: RawPeer, to: MsrpUri) => Promise<void>]> = [
    [
      'sends garbage',
      async (raw) => {
        raw.write('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n');
        await raw.closed; // the endpoint closes that connection
      },
    ],
    [
      'stops mid-chunk',
      (raw, to) => {
        const head = raw.requestHead({
          toPath: [to],
          messageId: 'stalled1',
          byteRange: { start: 1, end: 2000, total: 2000 },
          contentType: 'text/plain',
        });
        raw.write(encodeHead(head));
        raw.write(Buffer.alloc(700, 0x61)); // and never the rest
        return Promise.resolve();
      },
    ],
    [
      'closes mid-transfer',
      async (raw, to) => {
        const response = await raw.transact({
          toPath: [to],
          messageId: 'cut1',
          byteRange: { start: 1, end: 1000, total: 3000 },
          body: Buffer.alloc(1000, 0x61),
          flag: '+',
        });
        expect(response.head.statusCode).toBe(200);
        raw.destroy();
        await raw.closed;
      },
    ],
  ];

  it.each(misbehaviours)('a peer that %s hurts only its own session', async (_, act) => {
    const { endpoint: b, port, session: good } = await listening();
    const victim = b.createSession();
    victim.accept();
    const victimInbox = victim[Symbol.asyncIterator]();
    const a = endpoint();
    const peer = a.createSession();
    await peer.connect([good.localUri]);
    const goodInbox = good[Symbol.asyncIterator]();
    const peerInbox = peer[Symbol.asyncIterator]();

    const raw = await rawPeer(port);
    expect((await raw.transact({ toPath: [victim.localUri], body: 'bind' })).head.statusCode).toBe(
      200,
    );
    expect((await next(victimInbox)).text()).toBe('bind');
    await act(raw, victim.localUri);

    // The other session, on its own connection, keeps working both ways.
    await peer.send('still there?');
    expect((await next(goodInbox)).text()).toBe('still there?');
    await good.send('yes');
    expect((await next(peerInbox)).text()).toBe('yes');

    raw.destroy();
    await raw.closed;
    // The misbehaving peer's session ends with its connection; anything half-received aborts.
    for (;;) {
      const result = await victimInbox.next();
      if (result.done) break;
      expect(result.value.aborted).toBe(true);
    }
    expect(victim.state).toBe('closed');
    expect(good.state).toBe('bound');
    await peer.send('and after');
    expect((await next(goodInbox)).text()).toBe('and after');
  });
});

// ---- the receiver goes away mid-transfer --------------------------------------------------

describe('receiver closes mid-transfer', () => {
  it('rejects with the bytes confirmed when the receiving connection closes', async () => {
    const chunkSize = 1000;
    const answered = 5;
    let answers = 0;
    const server = await rawServer({
      onFrame: (frame, raw) => {
        if (frame.head.kind !== 'request') return;
        const request = frame as RawRequest;
        if (request.head.contentType === undefined) raw.respond(request);
        else if (answers < answered) {
          answers++;
          raw.respond(request);
        }
      },
    });
    const a = endpoint();
    const session = a.createSession({ chunkSize, maxInFlightChunks: 8 });
    await session.connect([server.uri()]);
    let confirmed = 0;
    let reachedAll: () => void = () => undefined;
    const allConfirmed = new Promise<void>((resolve) => (reachedAll = resolve));
    const total = 20 * chunkSize;
    const sending = session.send(randomBytes(total), {
      onProgress: (p) => {
        confirmed = p.bytes;
        if (p.bytes === answered * chunkSize) reachedAll();
      },
    });
    const outcome = failure(sending);
    await allConfirmed;
    (await server.peer()).destroy();
    const error = await outcome;
    expect(error).toBeInstanceOf(DeliveryError);
    const delivery = error as DeliveryError;
    expect(delivery.code).toBe('MSRP_ERR_CONNECTION');
    expect(delivery.confirmedBytes).toBe(answered * chunkSize);
    expect(delivery.confirmedBytes).toBeGreaterThan(0);
    expect(delivery.confirmedBytes).toBeLessThan(total);
    expect(confirmed).toBe(answered * chunkSize);
    // The session closes with its connection (a failed write may report the loss first).
    if (session.state !== 'closed') await nextEvent(session, 'close');
    expect(session.state).toBe('closed');
  });

  it('rejects with the bytes confirmed when the receiving session closes', async () => {
    const { session: passive, inbox } = await listening();
    const a = endpoint();
    const active = a.createSession();
    await active.connect([passive.localUri]);
    const total = 8 * 1024 * 1024;
    let progressed: () => void = () => undefined;
    const halfway = new Promise<void>((resolve) => (progressed = resolve));
    const sending = active.send(randomBytes(total), {
      onProgress: (p) => p.bytes >= 1024 * 1024 && progressed(),
    });
    const outcome = failure(sending);
    const message = await next(inbox);
    const reading = (async () => {
      for await (const _ of message.stream!) void _;
    })().catch((e: unknown) => e);
    await halfway;
    await passive.close();
    const error = await outcome;
    expect(error).toBeInstanceOf(DeliveryError);
    const delivery = error as DeliveryError;
    expect(delivery.status).toBe(481);
    expect(delivery.confirmedBytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(delivery.confirmedBytes).toBeLessThan(total);
    expect(await reading).toBeInstanceOf(MsrpError);
    expect(message.aborted).toBe(true);
  });

  it('answers 481, not 413, to the chunks a closing session had not confirmed yet', async () => {
    // With confirmWhenRead and a reader that takes nothing, every chunk waits for its answer
    // when the session closes: the session no longer exists (RFC 4975 §10: 481); 413 would
    // say only that this message is refused.
    const { session: passive, inbox } = await listening({ confirmWhenRead: true });
    const total = 8 * 1024 * 1024;
    const a = endpoint();
    const active = a.createSession();
    await active.connect([passive.localUri]);
    const outcome = failure(
      active.send(randomBytes(total), { contentType: 'application/octet-stream' }),
    );
    const message = await next(inbox);
    await until(() => message.received > 0);
    await passive.close();
    const error = await outcome;
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).status).toBe(481);
    expect((error as DeliveryError).confirmedBytes).toBeLessThan(total);
  });
});

// ---- TLS ------------------------------------------------------------------------------------

describe('TLS', () => {
  let cert = '';
  let key = '';

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    });
    cert = pems.cert;
    key = pems.private;
  });

  async function tlsListener(): Promise<{ session: Session; inbox: Inbox }> {
    const b = endpoint();
    const uri = await b.listen({ tls: { cert, key } });
    expect(uri.scheme).toBe('msrps');
    const session = b.createSession();
    session.accept();
    expect(session.localUri.scheme).toBe('msrps');
    return { session, inbox: session[Symbol.asyncIterator]() };
  }

  it('chats over msrps with the peer certificate pinned by fingerprint', async () => {
    const { session: passive, inbox } = await tlsListener();
    const a = endpoint({ tls: { fingerprint: certificateFingerprint(cert) } });
    const active = a.createSession();
    await active.connect([passive.localUri]);
    await active.send('over TLS ✓');
    expect((await next(inbox)).text()).toBe('over TLS ✓');
    await passive.send('back over TLS');
    expect((await next(active[Symbol.asyncIterator]())).text()).toBe('back over TLS');
  });

  it('accepts the certificate when it is given as the CA', async () => {
    const { session: passive, inbox } = await tlsListener();
    const a = endpoint({ tls: { ca: cert } });
    const active = a.createSession();
    await active.connect([passive.localUri]);
    await active.send('trusted');
    expect((await next(inbox)).text()).toBe('trusted');
  });

  it('fails with MSRP_ERR_FINGERPRINT on a wrong fingerprint', async () => {
    const { session: passive } = await tlsListener();
    const wrong = `SHA-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`;
    const a = endpoint({ tls: { fingerprint: wrong } });
    const active = a.createSession();
    const error = await failure(active.connect([passive.localUri]));
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_FINGERPRINT' });
    expect(active.state).toBe('closed');
    expect(passive.state).toBe('waiting');
  });

  // OpenSSL's raw Error, thrown while making the secure context, escaped the dial.
  it.each([
    ['cert', 'connect'],
    ['key', 'connect'],
    ['key', 'authenticate'],
  ] as const)(
    'fails with MSRP_ERR_INVALID_ARGUMENT when our client %s is not PEM (%s)',
    async (bad, call) => {
      const { session: passive } = await tlsListener();
      const relay = { ...passive.localUri, sessionId: undefined };
      const a = endpoint({
        tls: {
          ca: cert,
          cert: bad === 'cert' ? 'not PEM' : cert,
          key: bad === 'key' ? 'not PEM' : key,
        },
        ...(call === 'authenticate' && {
          relays: [{ uri: relay, username: 'alice', password: 'pw' }],
        }),
      });
      const error = await failure(
        call === 'connect' ? a.createSession().connect([passive.localUri]) : a.authenticate(),
      );
      expect(error).toBeInstanceOf(MsrpError);
      expect(error).toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
    },
  );

  it('rejects a self-signed certificate without fingerprint or CA', async () => {
    const { session: passive } = await tlsListener();
    const a = endpoint();
    const active = a.createSession();
    const error = await failure(active.connect([passive.localUri]));
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect(String((error as MsrpError).message)).toMatch(/self.signed/i);
    expect(active.state).toBe('closed');
    expect(passive.state).toBe('waiting');
  });
});

// ---- CEMA -----------------------------------------------------------------------------------

describe('matchSessionIdOnly (CEMA)', () => {
  it('accepts a To-Path with the right session-id and another authority', async () => {
    const { port, session, inbox } = await listening({}, { matchSessionIdOnly: true });
    const raw = await rawPeer(port);
    const rewritten: MsrpUri = { ...session.localUri, host: '192.0.2.7', port: 40000 };
    const response = await raw.transact({ toPath: [rewritten], body: 'via a middlebox' });
    expect(response.head.statusCode).toBe(200);
    expect((await next(inbox)).text()).toBe('via a middlebox');
    // The session-id still has to match.
    const unknown: MsrpUri = { ...rewritten, sessionId: newSessionId() };
    expect((await raw.transact({ toPath: [unknown], body: 'x' })).head.statusCode).toBe(481);
  });

  it('refuses a second session with a session-id in use, which stays reachable', async () => {
    // Routed by session-id alone, the second would take the first's requests, and its close
    // would leave the first unreachable (481).
    const { endpoint: e, port, session } = await listening({}, { matchSessionIdOnly: true });
    const elsewhere: MsrpUri = { ...session.localUri, host: 'b.example.com' };
    expect(() => e.createSession({ localUri: elsewhere })).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
    );
    const raw = await rawPeer(port);
    expect((await raw.transact({ toPath: [session.localUri] })).head.statusCode).toBe(200);
    expect(session.state).toBe('bound');
    // Once the first closed, its session-id is free again.
    await session.close();
    expect(e.createSession({ localUri: elsewhere }).localUri.sessionId).toBe(
      session.localUri.sessionId,
    );
  });

  it('answers 481 to the same request without the option', async () => {
    const { port, session } = await listening();
    const raw = await rawPeer(port);
    const rewritten: MsrpUri = { ...session.localUri, host: '192.0.2.7', port: 40000 };
    const response = await raw.transact({ toPath: [rewritten], body: 'via a middlebox' });
    expect(response.head.statusCode).toBe(481);
    expect(session.state).toBe('waiting');
  });
});
