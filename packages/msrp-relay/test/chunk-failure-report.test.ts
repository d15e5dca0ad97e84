// Failure REPORTs for the chunks of one message (RFC 4975 §7.1.2, RFC 4976 §7.2): each
// covers its own chunk's bytes of the message, whichever order the next hop answers in (the
// pending chunks share one head of their message: report-basis.ts).
import { describe, expect, it } from 'vitest';
import { rawAuth, rawClient, startRelay } from './helpers.js';

describe('failure REPORTs of a chunked message', () => {
  it('each names its chunk’s Byte-Range and the message’s total, answered out of order', async () => {
    const { uri } = await startRelay();
    const receiver = await rawClient(uri.port!);
    const relayUri = (await rawAuth(receiver, uri)).usePath![0]!;
    const sender = await rawClient(uri.port!);
    const toPath = [relayUri, receiver.uri];
    const messageId = 'chunked-message-1';
    const total = 3000;
    const ranges = [
      { start: 1, end: 1000, total },
      { start: 1001, end: 2000, total },
      { start: 2001, end: 3000, total },
    ];
    for (const [i, byteRange] of ranges.entries())
      sender.sendRequest({
        toPath,
        messageId,
        byteRange,
        body: 'x'.repeat(1000),
        flag: i < 2 ? '+' : '$',
      });
    const forwarded = [];
    for (let i = 0; i < 3; i++) forwarded.push(await receiver.request('SEND'));
    // The last chunk fails first, then the first; the middle one gets through.
    receiver.respond(forwarded[2]!, 481);
    const last = await sender.request('REPORT');
    receiver.respond(forwarded[1]!, 200);
    receiver.respond(forwarded[0]!, 403);
    const first = await sender.request('REPORT');
    expect(last.head.messageId).toBe(messageId);
    expect(last.head.status?.code).toBe(481);
    expect(last.head.byteRange).toEqual({ start: 2001, end: 3000, total });
    expect(first.head.status?.code).toBe(403);
    expect(first.head.byteRange).toEqual({ start: 1, end: 1000, total });
    expect(first.head.toPath.map((u) => u.sessionId)).toEqual([sender.uri.sessionId]);
    expect(sender.requests.filter((r) => r.head.method === 'REPORT')).toHaveLength(2);
  });
});
