import { describe, expect, it } from 'vitest';
import { encodeLatin1 } from '../src/wire/bytes.js';
import { EndLineScanner } from '../src/wire/end-line-scanner.js';
import { WholeHead } from '../src/wire/whole-head.js';

const TID = 'abcd1234';
const marker = (): Uint8Array => encodeLatin1(`\r\n-------${TID}`);
const bytes = (s: string): Uint8Array => encodeLatin1(s);

describe('EndLineScanner', () => {
  it('finds the end-line and its flag', () => {
    const scan = new EndLineScanner();
    scan.begin(marker());
    const buf = bytes(`hello\r\n-------${TID}+\r\nMSRP`);
    expect(scan.find(buf, 0)).toBe(5);
    expect(scan.flag).toBe('+');
  });

  it('skips a marker followed by no flag and holds back a possible end-line at the end', () => {
    const scan = new EndLineScanner();
    scan.begin(marker());
    const buf = bytes(`a\r\n-------${TID}x\r\nb\r\n-----`);
    expect(scan.find(buf, 0)).toBe(-1);
    expect(scan.hold).toBe(buf.length - 7);
    scan.keep(buf, scan.hold);
    expect(scan.carry).toEqual(bytes('\r\n-----'));
    // The next push completes the end-line: joined with the carry it is found at once.
    const next = bytes(`--${TID}$\r\n`);
    expect(scan.holding(next, 0)).toBe(true);
    const { joined, taken } = scan.joinCarry(next);
    expect(taken).toBe(next.length);
    expect(scan.find(joined, 0)).toBe(0);
    expect(scan.flag).toBe('$');
  });

  it('holds nothing when the tail cannot begin the end-line', () => {
    const scan = new EndLineScanner();
    scan.begin(marker());
    const buf = bytes('body\r\n-x');
    expect(scan.find(buf, 0)).toBe(-1);
    expect(scan.hold).toBe(buf.length);
  });

  it('drops the virtual CRLF of a non-empty body, keeps it for an empty one', () => {
    const scan = new EndLineScanner();
    scan.begin(marker());
    expect(scan.holding(bytes(`-------${TID}$\r\n`), 0)).toBe(true);
    expect(scan.holding(bytes('body'), 0)).toBe(false);
    expect(scan.carry).toBeUndefined();
    expect(scan.virtual).toBe(0);
  });
});

describe('WholeHead', () => {
  const head = (tid: string, range: string): string =>
    `MSRP ${tid} SEND\r\nTo-Path: msrp://b.example.com:8888/s;tcp\r\n` +
    `From-Path: msrp://a.example.com:7777/t;tcp\r\nMessage-ID: mid00001\r\n` +
    `Byte-Range: ${range}\r\nContent-Type: text/plain\r\n\r\n`;

  it('locates a head with a body, and a bodiless one with its flag', () => {
    const whole = new WholeHead(1024, 16 * 1024);
    const text = head('tidaaaa1', '1-4/8');
    expect(whole.locate(bytes(`${text}body`), 0)).toBe(true);
    expect(whole.end).toBe(text.length);
    expect(whole.flag).toBeUndefined();
    expect(whole.complete).toBe(false);
    const bodiless = 'MSRP tidaaaa2 SEND\r\nMessage-ID: m2\r\n-------tidaaaa2$\r\n';
    expect(whole.locate(bytes(bodiless), 0)).toBe(true);
    expect(whole.flag).toBe('$');
    expect(whole.end).toBe(bodiless.length);
  });

  it('leaves a head cut short, or a bodiless one without its CRLF yet, to the line reader', () => {
    const whole = new WholeHead(1024, 16 * 1024);
    expect(whole.locate(bytes(head('tidaaaa1', '1-4/8').slice(0, -2)), 0)).toBe(false);
    expect(whole.locate(bytes('MSRP tidaaaa2 SEND\r\nMessage-ID: m2\r\n-------tidaaaa2$'), 0)).toBe(
      false,
    );
  });

  it('recognises a head from the remembered one but for its Message-ID and Byte-Range', () => {
    const whole = new WholeHead(1024, 16 * 1024);
    const first = bytes(head('tidaaaa1', '1-4/8'));
    expect(whole.locate(first, 0)).toBe(true);
    const parsed = {
      kind: 'request' as const,
      method: 'SEND',
      transactionId: 'tidaaaa1',
      toPath: [],
      fromPath: [],
      messageId: 'mid00001',
      byteRange: { start: 1, end: 4, total: 8 },
    };
    whole.remember(first, parsed);
    expect(whole.locate(bytes(head('tidaaaa2', '5-8/8')), 0)).toBe(true);
    expect(whole.complete).toBe(true);
    expect(whole.head).toMatchObject({
      transactionId: 'tidaaaa2',
      messageId: 'mid00001',
      byteRange: { start: 5, end: 8, total: 8 },
    });
    // The next message: its Message-ID is read from the bytes.
    expect(whole.locate(bytes(head('tidaaaa3', '1-4/4').replace('mid00001', 'mid00002')), 0)).toBe(
      true,
    );
    expect(whole.complete).toBe(true);
    expect(whole.head).toMatchObject({ messageId: 'mid00002', byteRange: { end: 4, total: 4 } });
    // An invalid Message-ID, or another header changed: parsed in full.
    expect(whole.locate(bytes(head('tidaaaa4', '5-8/8').replace('mid00001', 'm9')), 0)).toBe(true);
    expect(whole.complete).toBe(false);
    const html = head('tidaaaa5', '5-8/8').replace('text/plain', 'text/html');
    expect(whole.locate(bytes(html), 0)).toBe(true);
    expect(whole.complete).toBe(false);
  });
});
