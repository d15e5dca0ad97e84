// Issue 13, "Several nodes": three `msrp-relay` processes (the built command, started by
// examples/three-nodes.sh) on one PostgreSQL database. alice on node 1 and bob on node 2 chat
// and send a file along the chain alice → node 1 → node 2 → bob, carol on node 1 talks to bob
// too; node 2 is killed mid-transfer, bob authenticates to node 3 and the file resumes from
// what bob holds, the missing octets only.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DeliveryError,
  PartialFile,
  formatUri,
  parseContentType,
  type AuthHeader,
  type IncomingMessage,
  type MsrpUri,
  type ReceivedReport,
} from '@msrp-ts/msrp-core';
import { answerChallenge, paramValue } from '@msrp-ts/msrp-core/internal';
import {
  client,
  closeClients,
  hostPort,
  next,
  pair,
  rawPeer,
  request,
  sha256,
  transact,
  until,
} from './helpers/node-clients.js';
import { startPostgres, type PostgresServer } from './helpers/postgres.js';
import { startRelayNodes, type RelayNodes } from './helpers/relay-nodes.js';

const SIZE = 24 * 1024 * 1024;

/** What `promise` rejects with, or undefined once it fulfils. */
const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

/**
 * bob's PartialFile at `target` receiving `message`, once it holds 3 MiB (of the 24); `cut`
 * is the receive's outcome, an error once the transfer is cut.
 */
async function receivingPart(
  target: string,
  message: IncomingMessage,
): Promise<{ cut: Promise<unknown> }> {
  const part = await PartialFile.open(target, { size: message.size! });
  const cut = failureOf(part.receive(message));
  await until(() => part.held >= 3 * 1024 * 1024, 60_000, 'bob to hold 3 MiB');
  return { cut };
}

let postgres: PostgresServer | undefined;
let relays: RelayNodes | undefined;
let dir: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-multi-node-'));
  postgres = await startPostgres();
}, 180_000);

afterAll(async () => {
  await postgres?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Three fresh nodes for each test, on the one database: each test kills a node, and counts
// connections from zero, so neither depends on what the other left (or on their order).
beforeEach(async () => {
  relays = await startRelayNodes(postgres!.url, join(dir, `logs-${++runs}`));
}, 180_000);

afterEach(async () => {
  await closeClients();
  const nodes = relays;
  relays = undefined;
  const code = await nodes?.stop();
  // The nodes left drained and exited 0 on the script's SIGTERM.
  if (nodes) expect(code, nodes.stderr()).toBe(0);
});

describe('three relay nodes on one PostgreSQL database', { timeout: 180_000 }, () => {
  it('chat and a file cross nodes; node 2 killed mid-file, bob moves to node 3, the file resumes', async () => {
    const [node1, node2, node3] = relays!.nodes;
    const alice = await client('alice', node1);
    const carol = await client('carol', node1);
    const bob = await client('bob', node2, true);
    // Each node names itself in Use-Path: the relay URI a client gets is the node it
    // authenticated to, so a peer's To-Path reaches that node and no other.
    expect(hostPort(alice.usePath[0]!)).toBe(hostPort(node1.uri));
    expect(hostPort(carol.usePath[0]!)).toBe(hostPort(node1.uri));
    expect(hostPort(bob.usePath[0]!)).toBe(hostPort(node2.uri));
    // Each client answered its 401 on the connection that got it: one connection and one
    // granted AUTH per client, on its node only.
    for (const [node, clients] of [
      [node1, 2],
      [node2, 1],
      [node3, 0],
    ] as const) {
      expect(await node.metric('msrp_relay_connections_accepted_total')).toBe(clients);
      expect(await node.metric('msrp_relay_auth_successes_total')).toBe(clients);
    }

    // Chat, both ways, alice → node 1 → node 2 → bob; carol on node 1 as well.
    const [aliceChat, bobChat] = await pair(alice, bob);
    const [carolChat, bobCarol] = await pair(carol, bob);
    const aliceInbox = aliceChat[Symbol.asyncIterator]();
    const bobInbox = bobChat[Symbol.asyncIterator]();
    const carolInbox = carolChat[Symbol.asyncIterator]();
    const bobCarolInbox = bobCarol[Symbol.asyncIterator]();
    await aliceChat.send('hello bob, from node 1', { successReport: true });
    expect((await next(bobInbox)).text()).toBe('hello bob, from node 1');
    await bobChat.send('hello alice, from node 2', { successReport: true });
    expect((await next(aliceInbox)).text()).toBe('hello alice, from node 2');
    await carolChat.send('carol here, also on node 1', { successReport: true });
    expect((await next(bobCarolInbox)).text()).toBe('carol here, also on node 1');
    await bobCarol.send('hi carol');
    expect((await next(carolInbox)).text()).toBe('hi carol');

    // A small file across the two nodes, whole.
    const small = randomBytes(300_000);
    await writeFile(join(dir, 'small.bin'), small);
    const sent = aliceChat.sendFile(join(dir, 'small.bin'), { successReport: true });
    const smallIn = await next(bobInbox);
    const smallPart = await PartialFile.open(join(dir, 'in-small.bin'), { size: smallIn.size! });
    await smallPart.receive(smallIn);
    const smallDone = await smallPart.complete();
    expect((await sent).report?.code).toBe(200);
    expect(smallDone.hash).toBe(smallDone.checkedAgainst);
    expect(sha256(await readFile(smallDone.path))).toBe(sha256(small));

    // Nodes share no session state. bob's relay session is node 2's: the same relay URI on
    // node 1 or node 3 names no session there (RFC 4976 §7.1: 481).
    const bobRelayUri = bob.usePath[0]!;
    for (const node of [node1, node3]) {
      const peer = await rawPeer(node);
      const elsewhere: MsrpUri = { ...bobRelayUri, port: node.uri.port! };
      const response = await transact(
        peer,
        request(peer, 'SEND', [elsewhere, bobChat.localUri], {
          messageId: 'not-here-1',
          byteRange: { start: 1, end: 1, total: 1 },
          contentType: parseContentType('text/plain'),
        }),
        new Uint8Array([0x78]),
      );
      expect(response.statusCode, `node ${hostPort(node.uri)}`).toBe(481);
    }
    // Nor nonces. Behind one DNS name (round-robin A records) a new connection may reach
    // another node: an answer to node 1's 401 sent there is refused, though its password is
    // right, so a client's retry after a 401 must stay on its connection (msrp-core's does,
    // as counted above).
    const auth = await rawPeer(node1);
    const challenge = await transact(auth, request(auth, 'AUTH', [node1.uri]));
    expect(challenge.statusCode).toBe(401);
    const answer = (uri: MsrpUri): AuthHeader =>
      answerChallenge(
        challenge.wwwAuthenticate ?? [],
        { username: 'alice', password: 'alice-secret' },
        formatUri(uri),
      );
    const other = await rawPeer(node3);
    const onNode3 = await transact(
      other,
      request(other, 'AUTH', [node3.uri], { authorization: answer(node3.uri) }),
    );
    // Node 3 never issued that nonce: a new challenge of its own, stale=true (RFC 7616
    // §3.3), which a client answers again on that connection.
    expect(onNode3.statusCode).toBe(401);
    const stale = onNode3.wwwAuthenticate?.map((c) => paramValue(c.params, 'stale'));
    expect(stale).toEqual(['true', 'true']);
    const nonce = (c: { params: Parameters<typeof paramValue>[0] }): string | undefined =>
      paramValue(c.params, 'nonce');
    expect(nonce(onNode3.wwwAuthenticate![0]!)).not.toBe(nonce(challenge.wwwAuthenticate![0]!));
    const onNode1 = await transact(
      auth,
      request(auth, 'AUTH', [node1.uri], { authorization: answer(node1.uri) }),
    );
    expect(onNode1.statusCode).toBe(200);
    expect(hostPort(onNode1.usePath![0]!)).toBe(hostPort(node1.uri));

    // The big file. bob stores every chunk before he answers it (confirmWhenRead) in a
    // PartialFile (name.part + its record), as examples/resume.ts does.
    const source = join(dir, 'video.bin');
    const bytes = randomBytes(SIZE);
    await writeFile(source, bytes);
    const target = join(dir, 'in-video.bin');
    const reports: ReceivedReport[] = [];
    aliceChat.on('report', (report) => reports.push(report));
    const firstTry = failureOf(
      aliceChat.sendFile(source, { messageId: 'video-1', successReport: true }),
    );
    const first = await next(bobInbox);
    expect(first.messageId).toBe('video-1');
    // Kill node 2 (SIGKILL, by its PID) once bob holds a few MiB of the 24.
    const { cut } = await receivingPart(target, first);
    await relays!.kill(1);

    // bob's connection to node 2 is gone: his part keeps what he stored and answered.
    expect(await cut).toBeInstanceOf(Error);
    // RFC 4975 §7.1.2 and RFC 4976 §7.2: node 1, which took alice's chunks and answered
    // them hop by hop, cannot deliver them (its connection to node 2 is gone, and node 2
    // cannot be dialled again): it tells alice with a failure REPORT (408), and her send
    // fails with a DeliveryError.
    const error = await firstTry;
    expect(error).toBeInstanceOf(DeliveryError);
    const delivery = error as DeliveryError;
    expect(delivery.status).toBe(408);
    await until(() => reports.some((r) => r.status.code === 408), 10_000, 'a failure REPORT');
    const failure = reports.find((r) => r.messageId === 'video-1' && r.status.code === 408)!;
    expect(failure).toBeDefined();

    // A chat line on carol's old session to bob (node 1 → node 2, dead): node 1 cannot dial
    // node 2 and tells carol at once: with a failure REPORT when it had answered the chunk
    // hop by hop, or with its 408 response when the line still waited after its head for room
    // in the queue toward node 2 (alice's chunks fill it) — either way a 408 naming the cause.
    const late = await failureOf(carolChat.send('are you there?', { successReport: true }));
    expect(late).toBeInstanceOf(DeliveryError);
    expect((late as DeliveryError).status).toBe(408);
    expect((late as DeliveryError).message).toMatch(
      /(Failure REPORT|Peer answered) 408 .*ECONNREFUSED/,
    );

    // What is confirmed? Through relays a 200 is hop by hop (RFC 4976 §7.2): the 200s alice
    // got (delivery.confirmedBytes) say only that node 1 took those octets (a MiB or more
    // past bob's, as the window and the relays' queues allow: resuming from there would
    // lose them), and a failure REPORT names octets that were not confirmed further on,
    // not all that is missing (bob may even hold some of them: part of a chunk node 2 had
    // streamed to him but never answered for). End to end, only bob knows what arrived:
    // what he stored and answered, his part's record (with RFC 5547 §9 the resume offer's
    // a=file-range carries it; here it is handed to alice directly). Read back from disk.
    const held = (await PartialFile.load(target))!.held;
    expect(held).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    expect(held).toBeLessThan(SIZE);
    const range = failure.byteRange!;
    expect(range.start).toBeGreaterThanOrEqual(1);
    expect(range.end).toBeGreaterThanOrEqual(range.start);
    expect(range.end).toBeLessThanOrEqual(SIZE);

    // bob authenticates to node 3 (same user, same database) and gets a URI of node 3's.
    const bob3 = await client('bob', node3, true);
    expect(hostPort(bob3.usePath[0]!)).toBe(hostPort(node3.uri));
    const node1Before = await node1.metric('msrp_relay_forwarded_bytes_total');
    const node3Before = await node3.metric('msrp_relay_forwarded_bytes_total');
    // New sessions (a new SDP exchange would carry the new paths): alice → node 1 → node 3 → bob.
    const [aliceAgain, bobAgain] = await pair(alice, bob3);
    const rest = aliceAgain.sendFile(source, {
      offset: held,
      messageId: 'video-1',
      successReport: true,
    });
    const second = await next(bobAgain[Symbol.asyncIterator]());
    expect(second.messageId).toBe('video-1');
    expect(second.offset).toBe(held);
    const resumed = await PartialFile.load(target);
    const received = await resumed!.receive(second);
    const done = await resumed!.complete();
    const final = await rest;
    expect(final.report?.code).toBe(200);
    // Nothing confirmed is lost: the whole file, its hash checked end to end.
    expect(done.hash).toBe(done.checkedAgainst);
    expect(final.hash).toBe(done.hash);
    expect(sha256(await readFile(done.path))).toBe(sha256(bytes));
    // Only the missing octets travelled after the resume: bob got SIZE - held of them, and
    // each node forwarded exactly that many body bytes since.
    expect(received.bytes).toBe(SIZE - held);
    expect((await node1.metric('msrp_relay_forwarded_bytes_total')) - node1Before).toBe(
      SIZE - held,
    );
    expect((await node3.metric('msrp_relay_forwarded_bytes_total')) - node3Before).toBe(
      SIZE - held,
    );

    // carol (node 1) reaches bob on node 3 as well, on a new session.
    const [carolAgain, bobCarolAgain] = await pair(carol, bob3);
    await carolAgain.send('still there, bob?', { successReport: true });
    expect((await next(bobCarolAgain[Symbol.asyncIterator]())).text()).toBe('still there, bob?');
  });

  it("the sender's node killed mid-file: alice moves to bob's node, the file resumes", async () => {
    const [node1, , node3] = relays!.nodes;
    const alice = await client('alice', node1);
    const bob = await client('bob', node3, true);
    const [aliceSession, bobSession] = await pair(alice, bob);
    const source = join(dir, 'archive.bin');
    const bytes = randomBytes(SIZE);
    await writeFile(source, bytes);
    const target = join(dir, 'in-archive.bin');
    const firstTry = failureOf(
      aliceSession.sendFile(source, { messageId: 'archive-1', successReport: true }),
    );
    const first = await next(bobSession[Symbol.asyncIterator]());
    const { cut } = await receivingPart(target, first);
    await relays!.kill(0);

    // alice lost her connection to node 1: her send fails at once.
    expect(await firstTry).toBeInstanceOf(DeliveryError);
    // bob's node saw its connection from node 1 die too. A chunk it was forwarding to bob
    // it would end with `#` (RFC 4975 §7.1: the rest will not come); between chunks there
    // is nothing to end, and RFC 4976 gives a relay no way to abort a message, so bob's
    // session on node 3 lives on with the message incomplete, as from a slow sender. bob
    // learns it from signalling (the BYE or new offer that brings alice's new path) and
    // closes the old session: the message fails and his part keeps what he stored.
    await bobSession.close();
    expect(await cut).toBeInstanceOf(Error);
    const held = (await PartialFile.load(target))!.held;
    expect(held).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    expect(held).toBeLessThan(SIZE);

    // alice authenticates to node 3, bob's own node, which now forwards between two of its
    // clients, and sends the rest of the same message.
    const alice3 = await client('alice', node3);
    expect(hostPort(alice3.usePath[0]!)).toBe(hostPort(node3.uri));
    const node3Before = await node3.metric('msrp_relay_forwarded_bytes_total');
    const [aliceAgain, bobAgain] = await pair(alice3, bob);
    const rest = aliceAgain.sendFile(source, {
      offset: held,
      messageId: 'archive-1',
      successReport: true,
    });
    const second = await next(bobAgain[Symbol.asyncIterator]());
    expect(second.offset).toBe(held);
    const resumed = (await PartialFile.load(target))!;
    const received = await resumed.receive(second);
    const done = await resumed.complete();
    expect((await rest).report?.code).toBe(200);
    expect(done.hash).toBe(done.checkedAgainst);
    expect(sha256(await readFile(done.path))).toBe(sha256(bytes));
    expect(received.bytes).toBe(SIZE - held);
    expect((await node3.metric('msrp_relay_forwarded_bytes_total')) - node3Before).toBe(
      SIZE - held,
    );
  });
});
