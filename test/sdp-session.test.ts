// SDP offer/answer put to work: a SIP INVITE carries an MSRP offer, the answer comes back in
// a 200 OK, and two msrp-core endpoints then connect as negotiated (real sockets on
// loopback) and exchange what the negotiation allows.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeliveryError,
  Endpoint,
  formatUri,
  newSessionId,
  type MsrpUri,
  type Session,
} from '@msrp-ts/msrp-core';
import {
  createAnswer,
  createOffer,
  extractSdp,
  negotiate,
  type Negotiation,
  type NegotiatedSide,
} from '@msrp-ts/sdp-msrp';
import { describe, expect, it, type onTestFinished } from 'vitest';

/** A SIP message around a body, as a SIP stack would hand it over (CRLF, octet length). */
function sipMessage(startLine: string, contentType: string, body: string): string {
  return [
    startLine,
    'Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK74bf9',
    'From: Alice <sip:alice@example.com>;tag=9fxced76sl',
    'To: Bob <sip:bob@example.com>',
    'Call-ID: 3848276298220188511@example.com',
    'CSeq: 1 INVITE',
    `Content-Type: ${contentType}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** An endpoint listening on loopback, closed when the test finishes. */
async function endpoint(
  finished: typeof onTestFinished,
): Promise<{ endpoint: Endpoint; uri: MsrpUri }> {
  const ep = new Endpoint();
  finished(() => ep.close());
  const listener = await ep.listen({ host: '127.0.0.1', port: 0 });
  return { endpoint: ep, uri: { ...listener, sessionId: newSessionId() } };
}

/** Creates the session one side negotiated and connects or accepts, as the negotiation says. */
async function open(ep: Endpoint, side: NegotiatedSide): Promise<Session> {
  const session = ep.createSession({
    localUri: side.localUri,
    acceptTypes: side.acceptTypes,
    ...(side.maxSize !== undefined && { maxSize: side.maxSize }),
    ...(side.remoteMaxSize !== undefined && { remoteMaxSize: side.remoteMaxSize }),
  });
  if (side.connects) await session.connect(side.remotePath);
  else session.accept(side.remotePath);
  return session;
}

function accepted(result: ReturnType<typeof negotiate>): Negotiation {
  if (!result.accepted) throw new Error(`rejected: ${result.reason}`);
  return result;
}

describe('SDP offer/answer drives msrp-core sessions', () => {
  it('chat: INVITE offer, 200 OK answer with a=setup:active, chat both ways and a file', async ({
    onTestFinished,
  }) => {
    const alice = await endpoint(onTestFinished);
    const bob = await endpoint(onTestFinished);

    // Alice's SIP stack sends the INVITE with her offer (a=setup:actpass by default).
    const offer = createOffer({
      localUri: alice.uri,
      acceptTypes: ['text/plain', 'application/octet-stream'],
      maxSize: 1_000_000,
    });
    const invite = sipMessage('INVITE sip:bob@example.com SIP/2.0', 'application/sdp', offer);

    // Bob reads the INVITE, answers; he cannot take inbound connections, so he connects.
    const offered = extractSdp(invite);
    const answer = createAnswer(offered, {
      localUri: bob.uri,
      acceptTypes: ['text/*', 'application/octet-stream'],
      maxSize: 500_000,
      setup: 'active',
    });
    expect(answer.accepted).toBe(true);
    const ok = sipMessage('SIP/2.0 200 OK', 'application/sdp', answer.sdp);
    const bobSide = accepted(negotiate(offered, answer.sdp));

    // Alice reads the 200 OK.
    const aliceSide = accepted(negotiate(offer, extractSdp(ok)));
    expect(aliceSide.active).toBe('answerer');
    expect(aliceSide.acceptTypes).toEqual(['text/plain', 'application/octet-stream']);
    expect(aliceSide.offerer).toMatchObject({
      connects: false,
      maxSize: 1_000_000,
      remoteMaxSize: 500_000,
    });
    expect(bobSide.answerer).toMatchObject({
      connects: true,
      connectTo: { host: '127.0.0.1', port: alice.uri.port },
    });

    // Passive side first, then the active one connects: sessions exactly as negotiated.
    const aliceSession = await open(alice.endpoint, aliceSide.offerer);
    const bobSession = await open(bob.endpoint, bobSide.answerer);
    expect(formatUri(bobSession.remotePath![0]!)).toBe(formatUri(alice.uri));
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    const bobInbox = bobSession[Symbol.asyncIterator]();

    await bobSession.send('Hi Alice, Bob here.');
    expect((await aliceInbox.next()).value?.text()).toBe('Hi Alice, Bob here.');
    await aliceSession.send('Hello Bob!');
    expect((await bobInbox.next()).value?.text()).toBe('Hello Bob!');

    // A file inside both max sizes goes through, hashed; the hash announced on the way matches.
    const dir = await mkdtemp(join(tmpdir(), 'sdp-chat-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const bytes = randomBytes(300_000);
    await writeFile(join(dir, 'notes.bin'), bytes);
    const sending = aliceSession.sendFile(join(dir, 'notes.bin'));
    const file = (await bobInbox.next()).value!;
    const saved = await file.saveTo(join(dir, 'received.bin'));
    await sending;
    expect(file.filename).toBe('notes.bin');
    expect(saved.hashMatches).toBe(true);
    expect((await readFile(join(dir, 'received.bin'))).equals(bytes)).toBe(true);

    // What was not agreed is refused: a type outside the agreement (415), a message above
    // the peer's a=max-size (refused before it is sent).
    const png = await aliceSession
      .send(Buffer.from('x'), { contentType: 'image/png' })
      .catch((e: unknown) => e);
    expect(png).toBeInstanceOf(DeliveryError);
    expect((png as DeliveryError).status).toBe(415);
    const big = await aliceSession.send(Buffer.alloc(600_000)).catch((e: unknown) => e);
    expect((big as DeliveryError).status).toBe(413);
  });

  it('RFC 5547 push: a file offer in a multipart INVITE, saved and checked against its SDP hash', async ({
    onTestFinished,
  }) => {
    const alice = await endpoint(onTestFinished);
    const bob = await endpoint(onTestFinished);
    const dir = await mkdtemp(join(tmpdir(), 'sdp-push-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const bytes = randomBytes(256 * 1024 + 17);
    const source = join(dir, 'holiday photo.jpg');
    await writeFile(source, bytes);
    const sha1 = createHash('sha1')
      .update(bytes)
      .digest('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1:');

    const offer = createOffer({
      localUri: alice.uri,
      acceptTypes: ['message/cpim', 'text/plain'],
      title: 'Our holiday',
      file: {
        mode: 'push',
        selector: {
          name: 'holiday photo.jpg',
          type: 'image/jpeg',
          size: bytes.length,
          hash: { algorithm: 'sha-1', value: sha1 },
        },
        disposition: 'attachment',
        icon: 'cid:icon1@alice.example.com',
      },
    });
    // RFC 5547 §9 style: the SDP and the file's icon travel in one multipart/mixed body.
    const body = [
      '--bnd-7',
      'Content-Type: application/sdp',
      '',
      offer,
      '--bnd-7',
      'Content-Type: image/jpeg',
      'Content-ID: <icon1@alice.example.com>',
      '',
      'ICON',
      '--bnd-7--',
      '',
    ].join('\r\n');
    const invite = sipMessage(
      'INVITE sip:bob@example.com SIP/2.0',
      'multipart/mixed;boundary=bnd-7',
      body,
    );

    // Bob takes pushed images up to 1 MB; he is passive, as RFC 4975 has it.
    const offered = extractSdp(invite);
    expect(offered).toBe(offer);
    const answer = createAnswer(offered, {
      localUri: bob.uri,
      acceptTypes: ['image/*', 'text/plain'],
      maxSize: 1_000_000,
    });
    expect(answer.accepted).toBe(true);
    const bobSide = accepted(negotiate(offered, answer.sdp));
    const aliceSide = accepted(
      negotiate(offer, extractSdp(sipMessage('SIP/2.0 200 OK', 'application/sdp', answer.sdp))),
    );

    expect(bobSide.file).toMatchObject({
      mode: 'push',
      sender: 'offerer',
      expectedHash: `sha-1:${sha1}`,
    });
    expect(aliceSide.active).toBe('offerer');
    expect(aliceSide.offerer).toMatchObject({ connects: true, sends: true, receives: false });
    expect(bobSide.answerer).toMatchObject({ connects: false, sends: false, receives: true });

    const bobSession = await open(bob.endpoint, bobSide.answerer);
    const aliceSession = await open(alice.endpoint, aliceSide.offerer);
    const inbox = bobSession[Symbol.asyncIterator]();
    // The offer's a=file-selector says sha-1: Alice hashes (and announces) that.
    const sending = aliceSession.sendFile(source, { hash: 'sha-1' });
    const file = (await inbox.next()).value!;
    expect(file.filename).toBe(bobSide.file!.description.selector.name);
    expect(file.size).toBe(bobSide.file!.description.selector.size);
    expect(file.contentType && `${file.contentType.type}/${file.contentType.subtype}`).toBe(
      'image/jpeg',
    );
    const saved = await file.saveTo(join(dir, 'received.jpg'), {
      expectedHash: bobSide.file!.expectedHash,
    });
    const delivered = await sending;
    expect(saved).toMatchObject({
      bytes: bytes.length,
      announcedHash: `sha-1:${sha1}`,
      hashMatches: true,
    });
    expect(delivered.hash).toBe(`sha-1:${sha1}`);
    expect(saved.hash).toBe(`sha-1:${sha1}`);
    expect((await readFile(join(dir, 'received.jpg'))).equals(bytes)).toBe(true);
  });
});
