// A SEND (or REPORT) without Message-ID after one with, on the same route: the relay forwards
// it as it came (the next hop answers it 400), where it reused the earlier message's template:
// it forwarded a chunk under the other Message-ID, or threw and closed the connection.
import { describe, expect, it } from 'vitest';
import { rawClient, relayToNextHop } from './helpers.js';

describe('the forwarded head keeps the request’s own Message-ID', () => {
  it('a chunk without Message-ID is not given the route’s previous Message-ID (streamed)', async () => {
    const { owner, session, server, nextUri } = await relayToNextHop({}, { autoRespond: true });
    const toPath = [session, nextUri];
    owner.sendRequest({
      toPath,
      messageId: 'first-message-1',
      byteRange: { start: 1, end: 2000, total: 4000 },
      body: 'a'.repeat(2000),
      flag: '+',
    });
    const next = await server.peer();
    await next.request('SEND');
    owner.sendRequest({
      toPath,
      messageId: null,
      byteRange: { start: 2001, end: 4000, total: 4000 },
      body: 'b'.repeat(2000),
    });
    const second = await next.request('SEND');
    // RFC 4976 §7.1 (from memory): a relay rewrites To-Path and From-Path, nothing else.
    expect(second.head.messageId).toBeUndefined();
  });

  it('a small whole SEND without Message-ID does not cost the sender its connection', async () => {
    const { owner, session, server, nextUri } = await relayToNextHop({}, { autoRespond: true });
    const toPath = [session, nextUri];
    owner.sendRequest({ toPath, messageId: 'first-message-2', body: 'hello' });
    const next = await server.peer();
    await next.request('SEND');
    // Now: "Cannot read properties of undefined (reading 'length')" in ChunkHeadTemplate,
    // the connection (and every relay session on it) is closed, the SEND never answered.
    const bad = owner.sendRequest({ toPath, messageId: null, body: 'world' });
    const answer = await owner.response(bad.transactionId).catch((e: unknown) => e);
    expect(answer).not.toBeInstanceOf(Error);
    expect(owner.isClosed).toBe(false);
  });

  it('a foreign peer’s malformed SEND does not drop the other messages on its connection', async () => {
    const { uri, owner, session } = await relayToNextHop({}, { autoRespond: true });
    // A peer (another relay, a stranger) carries two senders' messages to the client.
    const peer = await rawClient(uri.port!);
    const toPath = [session, owner.uri];
    const other = peer.sendRequest({
      toPath,
      messageId: 'other-user-file',
      byteRange: { start: 1, end: 100, total: 200 },
      body: 'f'.repeat(100),
      flag: '+',
    });
    expect((await peer.response(other.transactionId)).head.statusCode).toBe(200);
    peer.sendRequest({ toPath, messageId: 'chat-line-0001', body: 'hello' });
    peer.sendRequest({ toPath, messageId: null, body: 'world' });
    // The rest of the other sender's file, after it.
    const rest = peer.sendRequest({
      toPath,
      messageId: 'other-user-file',
      byteRange: { start: 101, end: 200, total: 200 },
      body: 'g'.repeat(100),
    });
    const answer = await peer.response(rest.transactionId).catch((e: unknown) => e);
    expect(answer).not.toBeInstanceOf(Error);
  });
});
