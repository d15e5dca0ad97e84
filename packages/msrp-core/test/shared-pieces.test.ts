// Pieces the endpoint and the relay share: ExpiringMap (transaction timeouts), responseFrame
// (refuse/respond, RFC 4975 §7.2), listenMsrp (the listening code), FrameTarget helpers.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Parser, newTransactionId, parseUri, type Head, type RequestHead } from '../src/index.js';
import { ExpiringMap, atEnd, discardFrame, listenMsrp, responseFrame } from '../src/internal.js';
import { until } from './helpers/socket-pair.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('ExpiringMap', () => {
  it('expires armed entries with one timer, leaves unarmed ones, and never a taken one', async () => {
    const expired: string[] = [];
    const map = new ExpiringMap<string, number>((key) => expired.push(key));
    map.set('unarmed', 1);
    map.set('soon', 2, 20);
    map.set('later', 3, 60);
    map.set('answered', 4, 20);
    expect(map.take('answered')).toBe(4);
    await until(() => expired.length === 2, 2000);
    expect(expired).toEqual(['soon', 'later']);
    expect([...map]).toEqual([['unarmed', 1]]);
    expect(map.arm('unarmed', 10)).toBe(true);
    expect(map.arm('missing', 10)).toBe(false);
    await until(() => expired.length === 3, 2000);
    expect(map.size).toBe(0);
  });

  it('an emptied map keeps its timer, and that early wake-up expires nothing not yet due', () => {
    vi.useFakeTimers();
    try {
      const expired: string[] = [];
      const map = new ExpiringMap<string, number>((key) => expired.push(key));
      map.set('answered', 1, 20);
      expect(map.take('answered')).toBe(1);
      map.set('next', 2, 60);
      vi.advanceTimersByTime(59);
      expect(expired).toEqual([]);
      expect(map.size).toBe(1);
      vi.advanceTimersByTime(1);
      expect(expired).toEqual(['next']);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('clear() hands back every entry without expiring any', async () => {
    const expired: string[] = [];
    const map = new ExpiringMap<string, number>((key) => expired.push(key));
    map.set('a', 1, 10);
    map.set('b', 2);
    expect(map.clear()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    // A later entry's expiry proves the cleared one's time has passed too.
    map.set('c', 3, 30);
    await until(() => expired.length > 0, 2000);
    expect(expired).toEqual(['c']);
  });
});

function request(method: string, failureReport?: 'yes' | 'no' | 'partial'): RequestHead {
  return {
    kind: 'request',
    method,
    transactionId: newTransactionId(),
    toPath: [parseUri('msrp://127.0.0.1:2855/relay;tcp')],
    fromPath: [parseUri('msrp://127.0.0.1:7777/alice;tcp')],
    ...(failureReport && { failureReport }),
  };
}

function parse(frame: Uint8Array[]): Head {
  let head: Head | undefined;
  const parser = new Parser({ head: (h) => void (head = h), body: () => true, end: () => true });
  for (const bytes of frame) parser.push(bytes);
  return head!;
}

describe('responseFrame', () => {
  it('answers one hop back (RFC 4975 §7.2), with the reason phrase or a one-line comment', () => {
    const req = request('SEND');
    const head = parse(responseFrame(req, 481)!);
    expect(head).toMatchObject({
      kind: 'response',
      transactionId: req.transactionId,
      statusCode: 481,
      comment: 'Session Does Not Exist',
    });
    expect(head.toPath[0]!.sessionId).toBe('alice');
    expect(head.fromPath[0]!.sessionId).toBe('relay');
    expect(parse(responseFrame(req, 400, 'bad\r\nline')!)).toMatchObject({ comment: 'bad line' });
  });

  it('carries extra headers, and sends nothing where RFC 4975 §7.1 wants no response', () => {
    const auth = request('AUTH');
    expect(parse(responseFrame(auth, 423, undefined, { minExpires: 60 })!)).toMatchObject({
      statusCode: 423,
      minExpires: 60,
    });
    expect(responseFrame(request('REPORT'), 200)).toBeUndefined();
    expect(responseFrame(request('SEND', 'no'), 408)).toBeUndefined();
    expect(responseFrame(request('SEND', 'partial'), 200)).toBeUndefined();
    expect(responseFrame(request('SEND', 'partial'), 408)).toBeDefined();
  });
});

describe('listenMsrp', () => {
  it('binds on 127.0.0.1, reports the port, and hands over each connection', async () => {
    const accepted: Socket[] = [];
    const admitted: Socket[] = [];
    const listening = await listenMsrp({ host: '127.0.0.1', port: 0 }, 2855, {
      accept: (socket) => accepted.push(socket),
      admit: (socket) => admitted.push(socket),
    });
    cleanups.push(() => new Promise((resolve) => listening.server.close(resolve)));
    expect(listening).toMatchObject({ scheme: 'msrp', host: '127.0.0.1' });
    expect(listening.port).toBeGreaterThan(0);
    const client = connect({ host: '127.0.0.1', port: listening.port });
    cleanups.push(() => client.destroy());
    await once(client, 'connect');
    await until(() => accepted.length === 1, 2000);
    expect(admitted).toHaveLength(1);
    for (const socket of accepted) socket.destroy();
  });
});

describe('FrameTarget helpers', () => {
  it('discardFrame reads on; atEnd calls back at the end-line with its flag', () => {
    expect(discardFrame.body(new Uint8Array(3))).toBe(true);
    const flags: string[] = [];
    const target = atEnd((flag) => flags.push(flag));
    expect(target.body(new Uint8Array(1))).toBe(true);
    target.end('$');
    expect(flags).toEqual(['$']);
  });
});
