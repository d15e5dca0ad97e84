// Unit tests of the per-connection transaction table: responses settle their requests, a
// request nobody answers gets 408 (RFC 4975 §7.1), and the pending count is bounded.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MsrpError, type ResponseHead } from '../src/index.js';
import { TransactionTable } from '../src/internal.js';

function response(transactionId: string, statusCode = 200): ResponseHead {
  return { kind: 'response', transactionId, statusCode, toPath: [], fromPath: [] };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TransactionTable', () => {
  it('settles a request with its response, and tells responses nobody awaits apart', async () => {
    const table = new TransactionTable();
    const pending = table.start('t1');
    expect(table.size).toBe(1);
    expect(table.settle(response('other'))).toBe(false);
    expect(table.settle(response('t1', 481))).toBe(true);
    await expect(pending).resolves.toMatchObject({ statusCode: 481 });
    expect(table.size).toBe(0);
    expect(table.settle(response('t1'))).toBe(false);
  });

  it('settles a callback transaction (expect) once: with its response, or with the error', () => {
    const table = new TransactionTable({ maxPending: 2 });
    const settled: string[] = [];
    table.expect('t1', (r, e) => settled.push(`t1 ${r?.statusCode ?? e?.code}`));
    table.expect('t2', (r, e) => settled.push(`t2 ${r?.statusCode ?? e?.code}`));
    expect(() => table.expect('t3', () => undefined)).toThrow(MsrpError);
    expect(table.settle(response('t1', 200))).toBe(true);
    table.failAll(new MsrpError('MSRP_ERR_CONNECTION', 'gone'));
    expect(table.settle(response('t2', 200))).toBe(false);
    expect(settled).toEqual(['t1 200', 't2 MSRP_ERR_CONNECTION']);
    expect(table.size).toBe(0);
  });

  it('hands each callback transaction its datum back: on its response, its 408 and a failure', () => {
    vi.useFakeTimers();
    const table = new TransactionTable({ timeout: 1000 });
    const settled: string[] = [];
    // One settle function for many transactions (a message's chunks), each with its size.
    const settle = (r?: ResponseHead, e?: MsrpError, size?: number): void => {
      settled.push(`${r?.transactionId ?? e?.transactionId} ${r?.statusCode ?? e?.status} ${size}`);
    };
    table.expect('a', settle, 8192);
    table.expect('b', settle, 100);
    vi.advanceTimersByTime(500);
    table.expect('c', settle, 7);
    table.settle(response('b'));
    vi.advanceTimersByTime(600);
    table.fail('c', new MsrpError('MSRP_ERR_CONNECTION', 'gone', { transactionId: 'c' }));
    expect(settled).toEqual(['b 200 100', 'a 408 8192', 'c undefined 7']);
    expect(table.size).toBe(0);
  });

  it('fails a request unanswered within timeout with 408, and only that one', async () => {
    vi.useFakeTimers();
    const table = new TransactionTable({ timeout: 1000 });
    const early = table.start('early');
    vi.advanceTimersByTime(600);
    const late = table.start('late');
    const earlyFailed = expect(early).rejects.toMatchObject({
      code: 'MSRP_ERR_TIMEOUT',
      status: 408,
      transactionId: 'early',
    });
    vi.advanceTimersByTime(500);
    await earlyFailed;
    expect(table.size).toBe(1);
    expect(table.settle(response('late'))).toBe(true);
    await expect(late).resolves.toMatchObject({ statusCode: 200 });
  });

  it('times out a request sent after the table emptied, neither early nor late', async () => {
    vi.useFakeTimers();
    const table = new TransactionTable({ timeout: 1000 });
    const first = table.start('first');
    vi.advanceTimersByTime(400);
    table.settle(response('first'));
    await first;
    const second = table.start('second');
    let outcome: unknown;
    second.catch((e: unknown) => (outcome = e));
    vi.advanceTimersByTime(999);
    await Promise.resolve();
    expect(outcome).toBeUndefined();
    expect(table.size).toBe(1);
    vi.advanceTimersByTime(1);
    await expect(second).rejects.toMatchObject({ status: 408, transactionId: 'second' });
    expect(table.size).toBe(0);
  });

  it('refuses more than maxPending requests with MSRP_ERR_LIMIT', () => {
    const table = new TransactionTable({ maxPending: 2 });
    void table.start('a').catch(() => undefined);
    void table.start('b').catch(() => undefined);
    expect(() => table.start('c')).toThrow(expect.objectContaining({ code: 'MSRP_ERR_LIMIT' }));
    table.settle(response('a'));
    void table.start('c').catch(() => undefined);
    expect(table.size).toBe(2);
  });

  it('fails every pending request when the connection closes, each with its id', async () => {
    const table = new TransactionTable();
    const a = table.start('a');
    const b = table.start('b');
    table.failAll(new MsrpError('MSRP_ERR_CONNECTION', 'gone'));
    await expect(a).rejects.toMatchObject({ code: 'MSRP_ERR_CONNECTION', transactionId: 'a' });
    await expect(b).rejects.toMatchObject({ code: 'MSRP_ERR_CONNECTION', transactionId: 'b' });
    expect(table.size).toBe(0);
  });

  it('tells the senders waiting when a place frees: on a response, a failure, a 408, a close', async () => {
    vi.useFakeTimers();
    const table = new TransactionTable({ maxPending: 1, timeout: 1000 });
    const ends: Record<string, () => void> = {
      a: () => table.settle(response('a')),
      b: () => table.fail('b', new MsrpError('MSRP_ERR_CONNECTION', 'not written')),
      c: () => vi.advanceTimersByTime(1000),
      d: () => table.failAll(new MsrpError('MSRP_ERR_CONNECTION', 'gone')),
    };
    for (const [id, end] of Object.entries(ends)) {
      expect(table.whenRoom()).toBeUndefined();
      table.expect(id, () => undefined);
      const room = table.whenRoom();
      // Every sender waiting gets the same wait.
      expect(table.whenRoom()).toBe(room);
      let freed = false;
      void room!.then(() => (freed = true));
      await Promise.resolve();
      expect(freed).toBe(false);
      end();
      await room;
      expect(table.size).toBe(0);
    }
  });
});
