// Interoperation with Kamailio's websocket and msrp modules (issue 10): msrp-core endpoints
// dial Kamailio over WebSocket (RFC 7977, `msrp://127.0.0.1:PORT;ws`), authenticate with
// Digest (RFC 4976 AUTH, Use-Path), chat and send a file in chunks of 10 KiB through it, and
// reach an endpoint that uses TCP. Kamailio sends a frame as a text message when it is valid
// UTF-8 (websocket module, ws_frame_transmit()): a tap in front of it reads the frame types
// on the wire, and the file is partly UTF-8 text so that some of its chunks arrive as text
// messages, which the client must take as the bytes they are (RFC 7977 §4.2).
// Kamailio runs in the foreground on a free loopback port with a config written here;
// `.ci/run` installs kamailio and kamailio-websocket-modules when missing.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, MsrpError, formatUri, type MsrpUri } from '@msrp-ts/msrp-core';
import {
  KAMAILIO,
  clientOf,
  freePort,
  kamailioConfigHeader,
  kamailioModuleDir,
  msrpFrameRoute,
  next,
  startKamailio,
} from './helpers/kamailio.js';
import { tapWebSocket } from './helpers/ws-tap.js';

const cleanups: Array<() => unknown> = [];
const defer = (cleanup: () => unknown): void => void cleanups.push(cleanup);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Kamailio's msrp module and largest body it relays (msrp_parser.h, MSRP_MAX_BODY_SIZE). */
const CHUNK_SIZE = 10 * 1024;

/**
 * Kamailio taking WebSocket handshakes for the `msrp` subprotocol on its TCP listener (the
 * websocket module's README: xhttp and `ws_handle_handshake()`), and MSRP over TCP on the
 * same port; both go to the msrp module's `event_route[msrp:frame-in]` (`msrpFrameRoute`).
 */
function kamailioConfig(port: number, modules: string): string {
  const header = kamailioConfigHeader(port, {
    mpath: modules,
    modules: ['xhttp', 'websocket'],
    // MSRP only: refuse SIP over WebSocket.
    modparams: ['modparam("websocket", "sub_protocols", 2)'],
  });
  return `${header}
event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		# Answers 101 with Sec-WebSocket-Protocol: msrp, or an error and exits.
		if (ws_handle_handshake()) {
			exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}

${msrpFrameRoute()}`;
}

/**
 * Starts Kamailio with its websocket module on a free port (stopped after the test).
 * Returns its URI over WebSocket and over TCP (the same port).
 * @throws Error naming the package when kamailio or its websocket module is missing.
 */
async function startKamailioWs(): Promise<{ ws: MsrpUri; tcp: MsrpUri }> {
  const modules = kamailioModuleDir('websocket.so');
  if (KAMAILIO === undefined || modules === undefined) {
    throw new Error(
      'Kamailio with its websocket module is needed (Debian: apt-get install kamailio ' +
        'kamailio-websocket-modules; .ci/run installs them)',
    );
  }
  const port = await freePort();
  await startKamailio(kamailioConfig(port, modules), port, defer);
  const uri = { scheme: 'msrp', host: '127.0.0.1', port, params: [] } as const;
  return { ws: { ...uri, transport: 'ws' }, tcp: { ...uri, transport: 'tcp' } };
}

/** A WebSocket URI to `port` on 127.0.0.1. */
function wsUri(port: number): MsrpUri {
  return { scheme: 'msrp', host: '127.0.0.1', port, transport: 'ws', params: [] };
}

/** 1 MiB: random bytes (binary messages), then UTF-8 text of 1 to 4 bytes a character. */
function fileBytes(): Buffer {
  const text = Buffer.from('MSRP über WebSocket, Grüße – 你好，世界 🙂 ', 'utf8');
  const bytes = Buffer.alloc(1024 * 1024);
  randomBytes(512 * 1024).copy(bytes);
  for (let at = 512 * 1024; at < bytes.length; at += text.length) text.copy(bytes, at);
  return bytes;
}

describe('Kamailio websocket and msrp modules as the relay', () => {
  it('authenticates over WebSocket (Digest, Use-Path), carries chat both ways and a 1 MiB file in 10 KiB chunks, some as text messages', async () => {
    const kamailio = await startKamailioWs();
    // Bob reaches Kamailio through the tap, which reads the frames Kamailio sends him.
    const tap = await tapWebSocket(kamailio.ws.port!);
    defer(() => tap.close());
    const alice = await clientOf('alice', [kamailio.ws], defer);
    const bob = await clientOf('bob', [wsUri(tap.port)], defer);
    for (const usePath of [alice.usePath, bob.usePath]) {
      // Kamailio names its TCP URI (msrp_cmap.c); we keep sending over our WebSocket.
      expect(usePath).toHaveLength(1);
      expect(usePath[0]).toMatchObject({ host: '127.0.0.1', port: kamailio.ws.port });
      expect(usePath[0]!.sessionId).toBeTruthy();
    }
    expect(alice.usePath[0]!.sessionId).not.toBe(bob.usePath[0]!.sessionId);
    expect(alice.registration!.expires).toBeGreaterThan(0);
    // The Digest challenge and the grant came to bob as text messages.
    expect(tap.frames.map((f) => [f.opcode, f.head.split('\r\n')[0]!.split(' ')[2]])).toEqual([
      [1, '401'],
      [1, '200'],
    ]);

    const bobSession = bob.createSession();
    const aliceSession = alice.createSession({ chunkSize: CHUNK_SIZE });
    expect(aliceSession.localPath.map(formatUri)).toEqual([
      formatUri(alice.usePath[0]!),
      formatUri(aliceSession.localUri),
    ]);
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();

    await aliceSession.send('hello bob, via kamailio over websocket');
    expect((await next(bobInbox, 'chat for bob')).text()).toBe(
      'hello bob, via kamailio over websocket',
    );
    await bobSession.send('hello alice, grüße 🙂');
    expect((await next(aliceInbox, 'chat for alice')).text()).toBe('hello alice, grüße 🙂');

    const dir = await mkdtemp(join(tmpdir(), 'msrp-kamailio-ws-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const bytes = fileBytes();
    await writeFile(join(dir, 'notes.bin'), bytes);
    const sending = aliceSession.sendFile(join(dir, 'notes.bin'));
    const file = await next(bobInbox, 'file for bob');
    const saved = await file.saveTo(join(dir, 'received.bin'));
    await sending;
    expect(file.filename).toBe('notes.bin');
    expect(saved.hashMatches).toBe(true);
    const received = await readFile(join(dir, 'received.bin'));
    expect(received.length).toBe(bytes.length);
    expect(createHash('sha256').update(received).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );

    // Each chunk came in one message of at most 10 KiB of body; the random half as binary
    // messages, most of the text half as text messages (a chunk that cuts a character in
    // two is not UTF-8, so binary).
    const chunks = tap.frames.filter((f) => /^MSRP \S+ SEND\r\n/.test(f.head));
    const fileChunks = chunks.filter((f) => /\r\nByte-Range: \d+-\d+\/1048576\r\n/.test(f.head));
    expect(fileChunks.length).toBeGreaterThanOrEqual(bytes.length / CHUNK_SIZE);
    for (const { head } of fileChunks) {
      const [, from, to] = /\r\nByte-Range: (\d+)-(\d+)\//.exec(head)!;
      expect(Number(to) - Number(from) + 1).toBeLessThanOrEqual(CHUNK_SIZE);
    }
    const text = fileChunks.filter((f) => f.opcode === 1);
    const binary = fileChunks.filter((f) => f.opcode === 2);
    expect(binary.length).toBeGreaterThanOrEqual(512 / 10);
    expect(text.length).toBeGreaterThanOrEqual(10);
    // The chat for bob, UTF-8, was a text message too.
    expect(chunks.filter((f) => f.opcode === 1).length).toBeGreaterThan(text.length);
  });

  it('refuses a wrong password over WebSocket with 401', async () => {
    const kamailio = await startKamailioWs();
    const mallory = new Endpoint({
      relays: [{ uri: kamailio.ws, username: 'alice', password: 'wrong' }],
    });
    defer(() => mallory.close());
    const error = await mallory.authenticate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect((error as MsrpError).status).toBe(401);
  });

  it('carries chat and a file between an endpoint over WebSocket and one over TCP', async () => {
    const kamailio = await startKamailioWs();
    const alice = await clientOf('alice', [kamailio.ws], defer);
    const bob = await clientOf('bob', [kamailio.tcp], defer);
    const bobSession = bob.createSession({ chunkSize: CHUNK_SIZE });
    const aliceSession = alice.createSession({ chunkSize: CHUNK_SIZE });
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    await aliceSession.send('from websocket to tcp');
    expect((await next(bobInbox, 'chat for bob')).text()).toBe('from websocket to tcp');
    await bobSession.send('from tcp to websocket');
    expect((await next(aliceInbox, 'chat for alice')).text()).toBe('from tcp to websocket');

    const dir = await mkdtemp(join(tmpdir(), 'msrp-kamailio-ws-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const bytes = fileBytes().subarray(0, 200_000);
    await writeFile(join(dir, 'notes.bin'), bytes);
    const sending = bobSession.sendFile(join(dir, 'notes.bin'));
    const file = await next(aliceInbox, 'file for alice');
    const saved = await file.saveTo(join(dir, 'received.bin'));
    await sending;
    expect(saved.hashMatches).toBe(true);
    expect((await readFile(join(dir, 'received.bin'))).equals(bytes)).toBe(true);
  });
});
