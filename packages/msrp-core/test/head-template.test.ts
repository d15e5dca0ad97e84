import { describe, expect, it } from 'vitest';
import { MsrpError, Parser } from '../src/index.js';
import { Collector } from './helpers/collect.js';

// The parser reads a head that repeats the last one's header block through a template
// (wire/head-template.ts), comparing the block eight bytes at a time; these tests change one
// byte at a time to make sure no difference goes unseen, wherever it falls in those words.

const BLOCK =
  'To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n' +
  'From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n' +
  'Message-ID: m1a2b3c4\r\n' +
  'Byte-Range: 1-5/5\r\n' +
  'Content-Type: text/plain\r\n';

function send(tid: string, block: string): string {
  return `MSRP ${tid} SEND\r\n${block}\r\nhello\r\n-------${tid}$\r\n`;
}

/** The events, or the error's code, of `wire` pushed in one piece to a new parser. */
function parse(wire: string): unknown {
  const sink = new Collector();
  const parser = new Parser(sink);
  try {
    parser.push(Buffer.from(wire, 'latin1'));
    parser.end();
  } catch (e) {
    if (!(e instanceof MsrpError)) throw e;
    return { events: sink.events.length, code: e.code };
  }
  return sink.events;
}

describe('HeadTemplate (through Parser)', () => {
  const first = send('tid00001', BLOCK);

  it('reads a head whose block differs from the last in any one byte as that head', () => {
    // Another letter or digit, the other case, or a control character: the second frame must
    // give what it gives with no template before it (its block parsed in full).
    const before = parse(first) as readonly unknown[];
    for (let i = 0; i < BLOCK.length; i++) {
      const c = BLOCK.charCodeAt(i);
      for (const to of [c ^ 0x20, c === 0x31 ? 0x32 : 0x31, 0x00, 0x80]) {
        if (to === c) continue;
        const changed = BLOCK.slice(0, i) + String.fromCharCode(to) + BLOCK.slice(i + 1);
        const fresh = parse(send('tid00002', changed));
        const after = parse(first + send('tid00002', changed));
        if (Array.isArray(fresh)) expect(after).toStrictEqual([...before, ...(fresh as unknown[])]);
        else expect(after).toStrictEqual({ ...(fresh as object), events: before.length });
      }
    }
  });

  it('reads the same block again as the template, with the new id and values', () => {
    const events = parse(first + send('tid00002', BLOCK.replace('m1a2b3c4', 'm9z8y7x6'))) as {
      head?: { transactionId: string; messageId: string };
    }[];
    const heads = events.flatMap((e) => (e.head ? [e.head] : []));
    expect(heads.map((h) => [h.transactionId, h.messageId])).toStrictEqual([
      ['tid00001', 'm1a2b3c4'],
      ['tid00002', 'm9z8y7x6'],
    ]);
  });
});

describe('Message-IDs read through the template', () => {
  it('are those of each chunk, when the chunks of several messages follow the template', () => {
    const ids = ['m1a2b3c4', 'mB000001', 'mB000001', 'mC000002', 'mB000001', 'shortid1x'];
    const wire = ids.map((id, i) => send(`tid0000${i}`, BLOCK.replace('m1a2b3c4', id))).join('');
    const events = parse(wire) as { head?: { messageId: string } }[];
    expect(events.flatMap((e) => (e.head ? [e.head.messageId] : []))).toStrictEqual(ids);
  });
});

describe('bodiless requests read through their template (a run of success REPORTs)', () => {
  const REPORT_BLOCK =
    'To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n' +
    'From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n' +
    'Message-ID: m1a2b3c4\r\n' +
    'Byte-Range: 1-100/100\r\n' +
    'Status: 000 200 OK\r\n';
  /** A REPORT: `tail` is what follows its block (its end-line, flag and CRLF by default). */
  function report(tid: string, block: string, tail = `-------${tid}$\r\n`): string {
    return `MSRP ${tid} REPORT\r\n${block}${tail}`;
  }
  const first = report('tid00001', REPORT_BLOCK);

  it('reads a REPORT that differs from the last in any one byte, end-line included, as that REPORT', () => {
    const before = parse(first) as readonly unknown[];
    const second = report('tid00002', REPORT_BLOCK);
    for (let i = 0; i < second.length; i++) {
      const c = second.charCodeAt(i);
      for (const to of [c ^ 0x20, c === 0x31 ? 0x32 : 0x31, 0x00, 0x80, 0x2b]) {
        if (to === c) continue;
        const changed = second.slice(0, i) + String.fromCharCode(to) + second.slice(i + 1);
        const fresh = parse(changed);
        const after = parse(first + changed);
        if (Array.isArray(fresh)) expect(after).toStrictEqual([...before, ...(fresh as unknown[])]);
        else expect(after).toStrictEqual({ ...(fresh as object), events: before.length });
      }
    }
  });

  it("reads a run of REPORTs with each one's id, Message-ID, Byte-Range and flag", () => {
    const runs = [
      ['tid00002', 'mB000001', '1-100/100', '$'],
      ['tid00003', 'mC000002', '1-7/7', '$'],
      ['tid00004', 'shortid1x', '1-100/100', '#'],
    ] as const;
    const wire =
      first +
      runs
        .map(([tid, id, range, flag]) =>
          report(
            tid,
            REPORT_BLOCK.replace('m1a2b3c4', id).replace('1-100/100', range),
            `-------${tid}${flag}\r\n`,
          ),
        )
        .join('');
    const all = parse(wire) as readonly unknown[];
    // The same events as each REPORT parsed alone, by a parser with no template.
    const alone = [
      first,
      ...runs.map(([tid, id, range, flag]) =>
        report(
          tid,
          REPORT_BLOCK.replace('m1a2b3c4', id).replace('1-100/100', range),
          `-------${tid}${flag}\r\n`,
        ),
      ),
    ].flatMap((w) => parse(w) as unknown[]);
    expect(all).toStrictEqual(alone);
    const heads = all.flatMap((e) =>
      (e as { head?: unknown }).head
        ? [(e as { head: { transactionId: string; messageId: string; byteRange: unknown } }).head]
        : [],
    );
    expect(heads.map((h) => [h.transactionId, h.messageId])).toStrictEqual([
      ['tid00001', 'm1a2b3c4'],
      ['tid00002', 'mB000001'],
      ['tid00003', 'mC000002'],
      ['tid00004', 'shortid1x'],
    ]);
  });

  it('waits for the end-line of a REPORT cut before it, as without a template', () => {
    const second = report('tid00002', REPORT_BLOCK);
    const whole = parse(first + second);
    for (let cut = 1; cut < second.length; cut++) {
      const sink = new Collector();
      const parser = new Parser(sink);
      parser.push(Buffer.from(first + second.slice(0, cut), 'latin1'));
      parser.push(Buffer.from(second.slice(cut), 'latin1'));
      parser.end();
      expect(sink.events).toStrictEqual(whole);
    }
  });
});
