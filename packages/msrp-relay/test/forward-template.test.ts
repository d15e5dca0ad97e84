// ForwardTemplate: the next chunk of a message is forwarded with a head from the last one's
// template, byte for byte what formatting it whole gives, and answered with the same 200.
import { describe, expect, it } from 'vitest';
import { newTransactionId, parseUri, type RequestHead } from '@msrp-ts/msrp-core';
import { encodeHead, responseFrame } from '@msrp-ts/msrp-core/internal';
import { ForwardTemplate } from '../src/forward-template.js';

const relayUri = parseUri('msrp://relay.example.com:2855/r1;tcp');
const alice = parseUri('msrp://alice.example.com:7777/a1;tcp');
const bob = parseUri('msrp://bob.example.com:8888/b1;tcp');

/** The first chunk of a message, as the parser gives it. */
const first: RequestHead = {
  kind: 'request',
  method: 'SEND',
  transactionId: 'tid0first',
  toPath: [relayUri, bob],
  fromPath: [alice],
  messageId: 'msg00001',
  successReport: 'yes',
  byteRange: { start: 1, end: 8192, total: 65536 },
  contentType: { type: 'application', subtype: 'octet-stream', params: [] },
  extensions: [{ name: 'X-Note', value: 'kept' }],
};
/** The next chunk: the parser reuses the last head's values, with its own id and range. */
const second: RequestHead = {
  ...first,
  transactionId: 'tid1second',
  byteRange: { start: 8193, end: 16384, total: 65536 },
};
const toPath = (r: RequestHead) => r.toPath.slice(1);
const fromPath = (r: RequestHead) => [r.toPath[0]!, ...r.fromPath];

function bytes(parts: readonly Uint8Array[] | undefined): string {
  return Buffer.concat(parts ?? []).toString('latin1');
}

describe('ForwardTemplate', () => {
  it('encodes the next chunk of a message from the template, as encodeHead would', () => {
    const heads = new ForwardTemplate();
    const a = heads.forward(first, newTransactionId(), toPath(first), fromPath(first));
    const tid = newTransactionId();
    const b = heads.forward(second, tid, toPath(second), fromPath(second));
    expect(a.template).toBeDefined();
    // Reused: nothing formatted again for the second chunk.
    expect(b.template).toBe(a.template);
    expect(b.head).toMatchObject({ transactionId: tid, byteRange: second.byteRange });
    const expected = encodeHead({
      ...second,
      transactionId: tid,
      toPath: [bob],
      fromPath: [relayUri, alice],
    });
    expect(Buffer.from(b.template!.encode(tid, b.head.byteRange!)).toString('latin1')).toBe(
      Buffer.from(expected).toString('latin1'),
    );
  });

  it('builds a new template when any other header differs', () => {
    const heads = new ForwardTemplate();
    const a = heads.forward(first, newTransactionId(), toPath(first), fromPath(first));
    const changed: RequestHead = { ...second, successReport: 'no' };
    const tid = newTransactionId();
    const b = heads.forward(changed, tid, toPath(changed), fromPath(changed));
    expect(b.template).not.toBe(a.template);
    const head = { ...changed, transactionId: tid, toPath: [bob], fromPath: [relayUri, alice] };
    expect(Buffer.from(b.template!.encode(tid, changed.byteRange!)).toString('latin1')).toBe(
      Buffer.from(encodeHead(head)).toString('latin1'),
    );
    // Another route (here a From-Path of other URIs) is another head too.
    const elsewhere = heads.forward(changed, tid, [alice], [relayUri, bob]);
    expect(elsewhere.template).not.toBe(b.template);
  });

  it("encodes the next message of the route (another Message-ID) and REPORTs from the route's template", () => {
    const heads = new ForwardTemplate();
    const line = (id: string): RequestHead => ({
      ...first,
      messageId: id,
      byteRange: { start: 1, end: 5, total: 5 },
    });
    const report = (id: string): RequestHead => ({
      kind: 'request',
      method: 'REPORT',
      transactionId: 'tidreport',
      toPath: first.toPath,
      fromPath: first.fromPath,
      messageId: id,
      byteRange: { start: 1, end: 5, total: 5 },
      status: { namespace: '000', code: 200, reason: 'OK' },
    });
    for (const request of [
      line('msg0one'),
      line('msg0two'),
      report('msg0one'),
      report('msg0two'),
    ]) {
      const tid = newTransactionId();
      const forwarded = heads.forward(request, tid, toPath(request), fromPath(request));
      const expected = encodeHead({
        ...request,
        transactionId: tid,
        toPath: [bob],
        fromPath: [relayUri, alice],
      });
      expect(forwarded.template).toBeDefined();
      expect(
        Buffer.from(forwarded.template!.encode(tid, request.byteRange!)).toString('latin1'),
      ).toBe(Buffer.from(expected).toString('latin1'));
    }
  });

  it('gives no template to a request without Byte-Range or of another method', () => {
    const heads = new ForwardTemplate();
    const whole: RequestHead = { ...first };
    delete whole.byteRange;
    expect(heads.forward(whole, 't1', [bob], [relayUri]).template).toBeUndefined();
    const auth: RequestHead = { ...first, method: 'NICKNAME' };
    expect(heads.forward(auth, 't2', [bob], [relayUri]).template).toBeUndefined();
  });

  it('answers a chunk with the 200 responseFrame gives, and none when Failure-Report says so', () => {
    const heads = new ForwardTemplate();
    // The last one's id is not ASCII (the parser never gives one): the slab is not used.
    const odd = { ...second, transactionId: 'tïd2' };
    for (const request of [first, second, { ...second, fromPath: [bob] }, odd])
      expect(bytes(heads.ok(request))).toBe(bytes(responseFrame(request, 200)));
    expect(heads.ok({ ...first, failureReport: 'no' })).toBeUndefined();
    expect(heads.ok({ ...first, failureReport: 'partial' })).toBeUndefined();
  });
});
