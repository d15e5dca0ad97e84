// Parser.forgetHeaders (issue 13, memory per idle relay session): the header lines and heads
// a parser remembers to read a session's next chunks faster are let go, and the frames after
// are read in full, to the same heads.
import { describe, expect, it } from 'vitest';
import { encodeLatin1 } from '../src/wire/bytes.js';
import { Parser, type FrameSink } from '../src/wire/parser.js';
import type { Head } from '../src/wire/head.js';

const frame = (tid: string, id: string): Uint8Array =>
  encodeLatin1(
    `MSRP ${tid} SEND\r\n` +
      'To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n' +
      'From-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp\r\n' +
      `Message-ID: ${id}\r\n` +
      'Byte-Range: 1-5/5\r\n' +
      'Content-Type: text/plain\r\n' +
      '\r\n' +
      'hello\r\n' +
      `-------${tid}$\r\n`,
  );

function parser(): { parser: Parser; heads: Head[] } {
  const heads: Head[] = [];
  const sink: FrameSink = {
    head: (head) => void heads.push(head),
    body: () => true,
    end: () => undefined,
  };
  return { parser: new Parser(sink), heads };
}

describe('Parser.forgetHeaders', () => {
  it('reuses the paths parsed before, and after forgetHeaders parses them again, equal', () => {
    const { parser: p, heads } = parser();
    p.push(frame('tx1abcdef', 'msg1abcd'));
    p.push(frame('tx2abcdef', 'msg2abcd'));
    // Remembered: the second chunk's paths are the first's, not parsed again.
    expect(heads[1]!.toPath).toBe(heads[0]!.toPath);
    p.forgetHeaders();
    p.push(frame('tx3abcdef', 'msg3abcd'));
    expect(heads[2]!.toPath).not.toBe(heads[0]!.toPath);
    expect(heads[2]!.toPath).toEqual(heads[0]!.toPath);
    expect(heads[2]).toMatchObject({
      transactionId: 'tx3abcdef',
      messageId: 'msg3abcd',
      method: 'SEND',
    });
    expect(heads[2]!.fromPath).toEqual(heads[0]!.fromPath);
  });

  it('may be called between two frames of one push, and in the middle of a head', () => {
    const { parser: p, heads } = parser();
    const sink = p;
    const two = Buffer.concat([frame('ax1abcdef', 'msg1abcd'), frame('ax2abcdef', 'msg2abcd')]);
    sink.push(two.subarray(0, two.length - 40));
    p.forgetHeaders();
    sink.push(two.subarray(two.length - 40));
    const third = frame('ax3abcdef', 'msg3abcd');
    sink.push(third.subarray(0, 30));
    p.forgetHeaders();
    sink.push(third.subarray(30));
    expect(heads.map((h) => h.transactionId)).toEqual(['ax1abcdef', 'ax2abcdef', 'ax3abcdef']);
    expect(heads[2]).toEqual({ ...heads[0], transactionId: 'ax3abcdef', messageId: 'msg3abcd' });
  });
});
