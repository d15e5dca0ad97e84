import { describe, expect, it } from 'vitest';
import { encodeFrame, parseUri, type RequestHead } from '../src/index.js';
import { SuccessReports } from '../src/session/success-report.js';

// A session's success REPORTs (RFC 4975 §7.1.2) come from a head template once the paths
// repeat: their bytes must be those encodeFrame gives for the REPORT's head, message after
// message, whatever the Message-ID's and the byte count's lengths.

const ours = [parseUri('msrp://127.0.0.1:7777/bob1234;tcp')];
const relayed = [
  parseUri('msrp://relay.example.net:2855/r1;tcp'),
  parseUri('msrps://alice.example.com:7654/jshA7weztas;tcp'),
];

function send(messageId: string, fromPath: RequestHead['fromPath']): RequestHead {
  return {
    kind: 'request',
    method: 'SEND',
    transactionId: 'tid12345',
    toPath: ours,
    fromPath,
    messageId,
    byteRange: { start: 1, end: 5, total: 5 },
    contentType: { type: 'text', subtype: 'plain', params: [] },
  };
}

/** The frame's bytes, and those encodeFrame gives for the REPORT it should be. */
function compare(frame: Uint8Array[], request: RequestHead, bytes: number): [string, string] {
  const text = Buffer.concat(frame).toString('latin1');
  const transactionId = /^MSRP (\S+) REPORT\r\n/.exec(text)![1]!;
  const head: RequestHead = {
    kind: 'request',
    method: 'REPORT',
    transactionId,
    toPath: request.fromPath,
    fromPath: ours,
    messageId: request.messageId!,
    byteRange: { start: 1, end: bytes, total: bytes },
    status: { namespace: '000', code: 200, reason: 'OK' },
  };
  return [text, Buffer.concat(encodeFrame(head)).toString('latin1')];
}

describe('SuccessReports', () => {
  it('gives the bytes of encodeFrame for each REPORT, template or not', () => {
    const reports = new SuccessReports();
    const ids = ['m1a2b3c4', 'mB00', 'a-longer-message-id-0123456789ab', 'x.y-z%+=1'];
    const counts = [0, 1, 9, 10, 100, 99_999, 2 ** 40];
    const seen = new Set<string>();
    for (const fromPath of [relayed, [relayed[1]!], relayed]) {
      for (const id of ids) {
        for (const bytes of counts) {
          const request = send(id, fromPath);
          const [got, expected] = compare(reports.frame(request, ours, bytes), request, bytes);
          expect(got).toBe(expected);
          seen.add(/^MSRP (\S+)/.exec(got)![1]!);
        }
      }
    }
    // A fresh transaction id each (RFC 4975 §7.1: unique within the session's connection).
    expect(seen.size).toBe(3 * ids.length * counts.length);
  });

  it('follows a change of our From-Path', () => {
    const reports = new SuccessReports();
    const request = send('m1a2b3c4', relayed);
    reports.frame(request, ours, 5);
    reports.frame(request, ours, 5);
    const moved = [parseUri('msrp://127.0.0.1:9999/bob1234;tcp')];
    const text = Buffer.concat(reports.frame(request, moved, 5)).toString('latin1');
    expect(text).toContain('From-Path: msrp://127.0.0.1:9999/bob1234;tcp\r\n');
    expect(Buffer.concat(reports.frame(request, moved, 5)).toString('latin1')).toContain(
      'From-Path: msrp://127.0.0.1:9999/bob1234;tcp\r\n',
    );
  });
});
