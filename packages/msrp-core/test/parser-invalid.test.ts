// A frame framed right but with a header the parser cannot read: with FrameSink.invalid it is
// skipped whole (body included, however the bytes are cut) and the frames after it are read
// on; without it, it fails the parser as before.
import { describe, expect, it } from 'vitest';
import type { MsrpError } from '../src/index.js';
import { Parser, type ContinuationFlag, type FrameSink } from '../src/index.js';

const PATHS =
  'To-Path: msrp://b.example.com:1/s1;tcp\r\nFrom-Path: msrp://a.example.com:1/s2;tcp\r\n';

const send = (tid: string, headers: string, body: string, flag = '$'): string =>
  `MSRP ${tid} SEND\r\n${PATHS}Message-ID: m${tid}\r\n${headers}Content-Type: text/plain\r\n\r\n${body}\r\n-------${tid}${flag}\r\n`;

const WIRE = [
  send('t1aa', 'Byte-Range: 1-5/5\r\n', 'hello'),
  // A bad value, with a body that looks like frames and an end-line of another id.
  send('t2bb', 'Success-Report: maybe\r\n', 'MSRP t3cc SEND\r\n-------t3cc$\r\n', '+'),
  send('t3cc', 'Byte-Range: 1-5/5\r\n', 'there'),
  // Bodiless, without From-Path.
  'MSRP t4dd SEND\r\nTo-Path: msrp://b.example.com:1/s1;tcp\r\n-------t4dd$\r\n',
  // A duplicate header, then one more good frame.
  send('t5ee', 'Failure-Report: no\r\nFailure-Report: yes\r\n', 'x'),
  send('t6ff', '', 'last'),
].join('');

/** What a sink with `invalid` sees: one line per event. */
function read(pieces: readonly string[]): string[] {
  const events: string[] = [];
  let body = '';
  const sink: FrameSink = {
    head: (head) => void events.push(`head ${head.transactionId}`),
    body: (part) => void (body += Buffer.from(part).toString()),
    end: (flag: ContinuationFlag) => {
      events.push(`body ${body}`, `end ${flag}`);
      body = '';
    },
    invalid: (error, flag) =>
      void events.push(`invalid ${error.transactionId} ${error.code} ${error.status} ${flag}`),
  };
  const parser = new Parser(sink);
  for (const piece of pieces) parser.push(Buffer.from(piece));
  parser.end();
  return events;
}

describe('a frame with a header the parser cannot read', () => {
  it('is skipped whole and the frames after it are read, however the bytes are cut', () => {
    const whole = read([WIRE]);
    expect(whole).toEqual([
      'head t1aa',
      'body hello',
      'end $',
      'invalid t2bb MSRP_ERR_BAD_HEADER 400 +',
      'head t3cc',
      'body there',
      'end $',
      'invalid t4dd MSRP_ERR_MISSING_HEADER 400 $',
      'invalid t5ee MSRP_ERR_DUPLICATE_HEADER 400 $',
      'head t6ff',
      'body last',
      'end $',
    ]);
    for (let cut = 1; cut < WIRE.length; cut++) {
      expect(read([WIRE.slice(0, cut), WIRE.slice(cut)]), `cut at ${cut}`).toEqual(whole);
    }
    expect(read([...WIRE])).toEqual(whole);
  });

  it('carries what was read of the head, for the 400', () => {
    let error: MsrpError | undefined;
    const parser = new Parser({
      head: () => undefined,
      body: () => undefined,
      end: () => undefined,
      invalid: (e) => void (error = e),
    });
    parser.push(Buffer.from(send('t2bb', 'Success-Report: maybe\r\n', 'x')));
    expect(error?.head).toMatchObject({ kind: 'request', method: 'SEND', messageId: 'mt2bb' });
    expect(error?.head?.fromPath[0]?.sessionId).toBe('s2');
  });

  it('fails the parser when the sink cannot take it, as any parse error', () => {
    const parser = new Parser({
      head: () => undefined,
      body: () => undefined,
      end: () => undefined,
    });
    expect(() => parser.push(Buffer.from(WIRE))).toThrow(/Success-Report/);
  });

  it('still fails the parser on broken framing: a line that ends in LF alone', () => {
    const parser = new Parser({
      head: () => undefined,
      body: () => undefined,
      end: () => undefined,
      invalid: () => undefined,
    });
    const wire = send('t1aa', 'Byte-Range: 1-5/5\n', 'hello');
    expect(() => parser.push(Buffer.from(wire))).toThrow(/LF without CR/);
  });
});
