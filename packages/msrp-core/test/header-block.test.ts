// The parser's fast path for heads that lie whole in one push (HeaderBlockReader, parseStartLineBytes):
// it must give the same heads and the same errors as the line-by-line reader, which a push of
// one byte at a time always takes.
import { describe, expect, it } from 'vitest';
import { MsrpError } from '../src/errors.js';
import { encodeLatin1 } from '../src/wire/bytes.js';
import { IDENT, isIdentBytes } from '../src/wire/grammar.js';
import { Parser, type ContinuationFlag, type FrameSink } from '../src/wire/parser.js';
import type { Head } from '../src/wire/head.js';

type Event = { head: Head } | { body: string } | { end: ContinuationFlag };
interface Outcome {
  events: Event[];
  error?: { code: string; status: number | undefined };
}

function parse(text: string, piece: number): Outcome {
  const events: Event[] = [];
  const sink: FrameSink = {
    head: (head) => void events.push({ head }),
    body: (part) => void events.push({ body: Buffer.from(part).toString('latin1') }),
    end: (flag) => void events.push({ end: flag }),
  };
  const parser = new Parser(sink);
  const bytes = encodeLatin1(text);
  let error: Outcome['error'];
  try {
    for (let i = 0; i < bytes.length; i += piece) parser.push(bytes.subarray(i, i + piece));
    parser.end();
  } catch (e) {
    if (!(e instanceof MsrpError)) throw e;
    error = { code: e.code, status: e.status };
  }
  // Bodies come in different pieces: join them per frame.
  const joined: Event[] = [];
  for (const ev of events) {
    const prev = joined[joined.length - 1];
    if ('body' in ev && prev && 'body' in prev) prev.body += ev.body;
    else joined.push(ev);
  }
  return error ? { events: joined, error } : { events: joined };
}

/** Parses `text` whole and one byte at a time; both must agree. */
function both(text: string): Outcome {
  const whole = parse(text, text.length);
  expect(whole).toEqual(parse(text, 1));
  return whole;
}

const TO = 'To-Path: msrp://bob.example.com:8888/s1;tcp';
const FROM = 'From-Path: msrp://alice.example.com:7777/a1;tcp';
const send = (tid: string, lines: string[], body = 'hi'): string =>
  `MSRP ${tid} SEND\r\n${lines.join('\r\n')}\r\n\r\n${body}\r\n-------${tid}$\r\n`;
const heads = (o: Outcome): Head[] => o.events.flatMap((e) => ('head' in e ? [e.head] : []));

describe('the whole-head fast path', () => {
  it('reuses a repeated line only when its bytes are the same', () => {
    const ct = 'Content-Type: text/plain';
    const o = both(
      send('tid00001', [TO, FROM, 'Message-ID: m0001', 'Byte-Range: 1-2/2', ct]) +
        send('tid00002', [TO.replace('s1', 's2'), FROM, 'Message-ID: m0002', ct]) +
        // Same line as last time followed by more: not the cached value.
        send('tid00003', [`${TO.replace('s1', 's2')};x=1`, FROM, 'Message-ID: m0003', ct]) +
        send('tid00004', [TO, FROM + ' msrp://c.example.com:1/c1;tcp', ct]),
    );
    expect(o.error).toBeUndefined();
    const [a, b, c, d] = heads(o);
    expect(a!.toPath[0]!.sessionId).toBe('s1');
    expect(a!.byteRange).toEqual({ start: 1, end: 2, total: 2 });
    expect(b!.toPath[0]!.sessionId).toBe('s2');
    expect(b!.byteRange).toBeUndefined();
    expect(c!.toPath[0]!.params).toEqual([{ name: 'x', value: '1' }]);
    expect(d!.toPath[0]!.sessionId).toBe('s1');
    expect(d!.fromPath.map((u) => u.host)).toEqual(['alice.example.com', 'c.example.com']);
    expect(d!.messageId).toBeUndefined();
    expect(c!.messageId).toBe('m0003');
  });

  it('reads Message-ID and Byte-Range in any case, and rejects bad values with 400', () => {
    const ok = both(send('tid00001', [TO, FROM, 'message-id:\tAbc+1', 'BYTE-RANGE: 1-*/*']));
    expect(heads(ok)[0]).toMatchObject({
      messageId: 'Abc+1',
      byteRange: { start: 1, end: '*', total: '*' },
    });
    for (const bad of [
      'Message-ID: ab',
      'Message-ID: abcd ',
      'Byte-Range: 3-1/5',
      'Byte-Range: 1-2',
    ]) {
      const o = both(send('tid00001', [TO, FROM, bad]));
      expect(o.error).toEqual({ code: 'MSRP_ERR_BAD_HEADER', status: 400 });
    }
  });

  it("reads a head like the last one's but for Message-ID and Byte-Range from those values, and checks them", () => {
    const ct = 'Content-Type: text/plain';
    const frame = (tid: string, id: string, range: string): string =>
      send(tid, [TO, FROM, `Message-ID: ${id}`, `Byte-Range: ${range}`, ct]);
    const ok = both(
      frame('tid00001', 'm0001', '1-2/2') +
        frame('tid00002', 'm0002', '1-2/4') +
        frame('tid00003', 'm0002', '3-4/4'),
    );
    expect(ok.error).toBeUndefined();
    expect(heads(ok).map((h) => [h.transactionId, h.messageId, h.byteRange?.start])).toEqual([
      ['tid00001', 'm0001', 1],
      ['tid00002', 'm0002', 1],
      ['tid00003', 'm0002', 3],
    ]);
    expect(heads(ok)[2]!.toPath[0]!.sessionId).toBe('s1');
    for (const [id, range] of [
      ['ab', '1-2/2'],
      ['m0003 ', '1-2/2'],
      ['m0003', '3-1/5'],
      ['m0003', '1-2'],
    ]) {
      const o = both(frame('tid00001', 'm0001', '1-2/2') + frame('tid00002', id!, range!));
      expect(heads(o)).toHaveLength(1);
      expect(o.error).toEqual({ code: 'MSRP_ERR_BAD_HEADER', status: 400 });
    }
  });

  it('reports a duplicate header with 400, also when both lines were seen before', () => {
    const first = send('tid00001', [TO, FROM, 'Message-ID: m0001', 'Byte-Range: 1-2/2']);
    for (const lines of [
      [TO, TO, FROM],
      [TO, FROM, FROM],
      [TO, FROM, 'Message-ID: m0001', 'Message-ID: m0001'],
      [TO, FROM, 'Byte-Range: 1-2/2', 'byte-range: 1-2/2'],
      [TO, FROM, 'Content-Type: a/b', 'Content-Type: a/b'],
    ]) {
      const o = both(first + send('tid00002', lines));
      expect(heads(o)).toHaveLength(1);
      expect(o.error).toEqual({ code: 'MSRP_ERR_DUPLICATE_HEADER', status: 400 });
    }
  });

  it("gives the line reader's error for a control character or bare CR after lines seen before", () => {
    const first = send('tid00001', [TO, FROM]);
    for (const bad of ['X-A: a\x01b', 'X-A: a\rb', 'X-A: a\nb', 'X-A: \x7f']) {
      const o = both(first + send('tid00002', [TO, FROM, bad]));
      expect(heads(o)).toHaveLength(1);
      expect(o.error?.status).toBe(400);
    }
  });

  it('tells a bodiless frame from a line that merely begins with "-"', () => {
    const response = `MSRP tid00001 200 OK\r\n${TO}\r\n${FROM}\r\n-------tid00001$\r\n`;
    const o = both(response + send('tid00002', [TO, FROM]));
    expect(o.error).toBeUndefined();
    expect(o.events.map((e) => Object.keys(e)[0])).toEqual(['head', 'end', 'head', 'body', 'end']);
    expect(heads(o)[0]).toMatchObject({ kind: 'response', statusCode: 200, comment: 'OK' });
    const dashed = both(send('tid00002', [TO, '-------tid00003$', FROM]));
    expect(dashed.error).toEqual({ code: 'MSRP_ERR_BAD_HEADER', status: 400 });
    const cut = both(send('tid00002', [TO, FROM, '-------tid00002x']));
    expect(cut.error?.status).toBe(400);
  });

  it('reads start lines from bytes as parseStartLine does', () => {
    const start = (line: string): Outcome =>
      both(`${line}\r\n${TO}\r\n${FROM}\r\n-------tid00001$\r\n`);
    const bare = heads(start('MSRP tid00001 200'))[0]!;
    const fields = ['kind', 'transactionId', 'statusCode', 'toPath', 'fromPath'];
    expect(Object.keys(bare)).toEqual(fields);
    expect(bare).toMatchObject({ kind: 'response', transactionId: 'tid00001', statusCode: 200 });
    expect('comment' in heads(start('MSRP tid00001 200'))[0]!).toBe(false);
    expect(heads(start('MSRP tid00001 200 '))[0]).toMatchObject({ comment: '' });
    expect(heads(start('MSRP tid00001 481 No such session'))[0]).toMatchObject({
      statusCode: 481,
      comment: 'No such session',
    });
    // `200 OK`, read on from where the request line stopped: the same head, in the same shape.
    const ok = heads(start('MSRP tid00001 200 OK'))[0]!;
    expect(Object.keys(ok)).toEqual([...fields, 'comment']);
    expect(ok).toMatchObject({ transactionId: 'tid00001', statusCode: 200, comment: 'OK' });
    expect(heads(start('MSRP tid00001 200 OKAY'))[0]).toMatchObject({ comment: 'OKAY' });
    expect(heads(start('MSRP tid00001 201 OK'))[0]).toMatchObject({ statusCode: 201 });
    expect(heads(start('MSRP tid00001 NICKNAME'))[0]).toMatchObject({ method: 'NICKNAME' });
    expect(heads(start('MSRP tid00001 SEND'))[0]).toMatchObject({ method: 'SEND' });
    expect(heads(start('MSRP tid00001 SENDX'))[0]).toMatchObject({ method: 'SENDX' });
    for (const bad of [
      'MSRP tid00001 send',
      'MSRP tid00001 20',
      'MSRP tid00001 2000',
      'MSRP tid00001 200 a\x01',
    ]) {
      expect(start(bad).error).toEqual({ code: 'MSRP_ERR_BAD_START_LINE', status: 400 });
    }
    expect(start('MSRP t!d00001 SEND').error?.code).toBe('MSRP_ERR_BAD_START_LINE');
  });

  it('holds a 200 OK to the start line limit, as the line reader does', () => {
    const text = `MSRP tid00001 200 OK\r\n${TO}\r\n${FROM}\r\n-------tid00001$\r\n`;
    for (const [max, code] of [
      [19, 'MSRP_ERR_START_LINE_TOO_LONG'],
      [20, undefined],
    ] as const) {
      for (const piece of [text.length, 1]) {
        let error: string | undefined;
        const parser = new Parser(
          { head: () => undefined, body: () => undefined, end: () => undefined },
          {
            maxStartLineBytes: max,
          },
        );
        const bytes = encodeLatin1(text);
        try {
          for (let i = 0; i < bytes.length; i += piece) parser.push(bytes.subarray(i, i + piece));
        } catch (e) {
          error = (e as MsrpError).code;
        }
        expect(error).toBe(code);
      }
    }
  });
});

describe('isIdentBytes', () => {
  it('agrees with IDENT on every byte in every place, and on lengths 3 to 33', () => {
    for (let c = 0; c < 256; c++) {
      for (const at of [0, 1, 4]) {
        const text = `abcde`.slice(0, at) + String.fromCharCode(c) + 'abcde'.slice(at);
        const bytes = encodeLatin1(text);
        expect(isIdentBytes(bytes, 0, bytes.length), text).toBe(IDENT.test(text));
      }
    }
    for (let n = 3; n <= 33; n++) {
      const bytes = encodeLatin1(`x${'a'.repeat(n)}`);
      expect(isIdentBytes(bytes, 1, bytes.length)).toBe(n >= 4 && n <= 32);
    }
  });
});
