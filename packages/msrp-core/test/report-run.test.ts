// Where the parser looks for the end of a head that is not the last one's template (issue 13:
// a relay reads its receivers' 200s and REPORTs, alternating, dozens in one push). A REPORT
// has no blank line: the search for one used to run on through the frames after it, up to
// the header limit, for each REPORT. Now it stops at the frame's own end-line; whatever a
// head's size around the first look (1 KiB), one push gives what the line reader gives.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Parser } from '../src/index.js';
import { byteByByte, Collector, type FrameEvent } from './helpers/collect.js';

const RELAY = 'msrp://127.0.0.1:40123';
const TO = `${RELAY}/Xa8Fq2sJvB0kz;tcp ${RELAY}/YhQ3kP0wZ5t1;tcp msrp://127.0.0.1:41111/snd;tcp`;
const FROM = 'msrp://127.0.0.1:42222/rcv;tcp';

/** A REPORT, its head padded with an extension header of `pad` bytes. */
function report(tid: string, i: number, pad = 0): string {
  const extra = pad > 0 ? `X-Pad: ${'p'.repeat(pad)}\r\n` : '';
  return (
    `MSRP ${tid} REPORT\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nMessage-ID: mid${1000 + i}q\r\n` +
    `Byte-Range: 1-100/100\r\n${extra}Status: 000 200 OK\r\n-------${tid}$\r\n`
  );
}

function ok(tid: string): string {
  return `MSRP ${tid} 200 OK\r\nTo-Path: ${RELAY}/YhQ3kP0wZ5t1;tcp\r\nFrom-Path: ${FROM}\r\n-------${tid}$\r\n`;
}

function send(tid: string, i: number, body: string, pad = 0): string {
  const extra = pad > 0 ? `X-Pad: ${'q'.repeat(pad)}\r\n` : '';
  const n = Buffer.byteLength(body);
  return (
    `MSRP ${tid} SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nMessage-ID: sid${1000 + i}q\r\n` +
    `Byte-Range: 1-${n}/${n}\r\n${extra}Content-Type: text/plain\r\n\r\n${body}\r\n-------${tid}$\r\n`
  );
}

function parse(pieces: readonly Uint8Array[]): FrameEvent[] {
  const sink = new Collector();
  const parser = new Parser(sink);
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return sink.events;
}

/** A receiver's answers to `n` messages: a 200 and a REPORT each. */
function answers(n: number): Buffer {
  const frames: string[] = [];
  for (let i = 0; i < n; i++) frames.push(ok(`a${i}x7Kq`), report(`b${i}y3Zw`, i));
  return Buffer.from(frames.join(''), 'latin1');
}

describe('a run of REPORTs and 200s in one push', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('looks at each byte about once, not at every frame after each REPORT', () => {
    const wire = answers(40);
    // Bytes each search of the parser went through: to its match, or to the end.
    let examined = 0;
    // bytes.ts looks Buffer's indexOf up on its prototype at each call.
    const proto = Buffer.prototype as unknown as Buffer;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to each Buffer searched
    const native = proto.indexOf;
    vi.spyOn(proto, 'indexOf').mockImplementation(function (
      this: Buffer,
      ...args: Parameters<Buffer['indexOf']>
    ) {
      const at = native.apply(this, args);
      const [needle, from] = args;
      const start = typeof from === 'number' ? from : 0;
      const size = typeof needle === 'number' ? 1 : Buffer.byteLength(needle);
      examined += (at >= 0 ? at + size : this.length) - start;
      return at;
    });
    const sink = new Collector();
    new Parser(sink).push(wire);
    vi.restoreAllMocks();
    expect(sink.events.filter((e) => e.type === 'end')).toHaveLength(80);
    // Before: each REPORT's search for a blank line ran to the end of the push (~ 40 × 5 KB).
    expect(examined).toBeLessThan(2 * wire.length);
  });

  it('gives what the line reader gives, whatever the heads around the first look', () => {
    for (let pad = 600; pad <= 1200; pad += 37) {
      const wire = Buffer.from(
        [
          report(`r${pad}a`, 1, pad),
          ok(`o${pad}b`),
          send(`s${pad}c`, 2, 'hi\r\n\r\n-------x$\r\nthere', pad),
          report(`r${pad}d`, 3),
          send(`s${pad}e`, 4, 'x'.repeat(pad)),
          report(`r${pad}f`, 5, pad),
          send(`s${pad}g`, 6, '', pad),
        ].join(''),
        'latin1',
      );
      const whole = parse([wire]);
      expect(whole).toStrictEqual(parse(byteByByte(wire)));
      expect(whole.filter((e) => e.type === 'end')).toHaveLength(7);
    }
  });
});
