// The send side's per-session chunk-head templates (issue 12): every head they give is the
// bytes encodeHead gives for the same head, whatever the message's kind and order.
import { describe, expect, it, vi } from 'vitest';
import { parseContentType, parseUri, type RequestHead } from '../src/index.js';
import { containsEndLine, encodeHead } from '../src/internal.js';
import { HeadTemplates } from '../src/session/head-templates.js';
import { ContentTypes, OutgoingMessage } from '../src/session/outgoing-message.js';
import { chunkFrame, chunkHead, newSending, type Chunk } from '../src/session/sending.js';
import { TransactionIds } from '../src/wire/ids.js';
import type { SendOptions } from '../src/session/options.js';

const toPath = [
  parseUri('msrp://relay.example.net:2855/r1;tcp'),
  parseUri('msrp://b.example.com:7777/bob;tcp'),
];
const fromPath = [parseUri('msrp://a.example.com:7654/alice;tcp')];

interface Case {
  id: string;
  type: string;
  body: string;
  options?: SendOptions;
  contentHeaders?: { name: string; value: string }[];
}

function expected(c: Case, transactionId: string, chunk: Chunk): string {
  const head: RequestHead = {
    kind: 'request',
    method: 'SEND',
    transactionId,
    toPath,
    fromPath,
    messageId: c.id,
    ...(c.options?.successReport && { successReport: 'yes' as const }),
    byteRange: {
      start: chunk.start,
      end: chunk.start + chunk.body.length - 1,
      total: c.body.length,
    },
    ...(c.contentHeaders && { contentHeaders: c.contentHeaders }),
    contentType: parseContentType(c.type)!,
  };
  return Buffer.from(encodeHead(head)).toString();
}

describe('HeadTemplates', () => {
  it('gives each message of a session the head encodeHead gives, across kinds and repeats', () => {
    const templates = new HeadTemplates();
    // As a session does: one ContentType object per text, which keys the templates.
    const types = new ContentTypes();
    const cases: Case[] = [
      { id: 'first-msg', type: 'text/plain', body: 'hello' },
      { id: 'second.msg', type: 'text/plain', body: 'hi' },
      { id: 'with-report', type: 'text/plain', body: 'x', options: { successReport: true } },
      { id: 'cpim-msg1', type: 'message/cpim', body: 'cpim' },
      { id: 'third-msg', type: 'text/plain', body: 'again' },
      { id: 'charset-msg', type: 'text/plain;charset=utf-8', body: 'utf' },
      {
        id: 'file-msg1',
        type: 'application/octet-stream',
        body: 'file',
        contentHeaders: [{ name: 'Content-Disposition', value: 'attachment; filename="a.bin"' }],
      },
      { id: 'after-file', type: 'application/octet-stream', body: 'plain' },
      { id: 'report-two', type: 'text/plain', body: 'y', options: { successReport: true } },
    ];
    for (const c of cases) {
      const message = new OutgoingMessage(c.id, types.parse(c.type)!, Buffer.from(c.body), {
        ...(c.contentHeaders && { contentHeaders: c.contentHeaders }),
      });
      const sending = newSending(
        message,
        c.options ?? {},
        () => {},
        () => {},
      );
      const chunk: Chunk = { body: Buffer.from(c.body), start: 1, last: true };
      const end = c.body.length;
      const head = chunkHead(
        sending,
        chunk,
        end,
        toPath,
        fromPath,
        templates,
        new TransactionIds(),
      );
      expect(Buffer.from(head).toString(), c.id).toBe(expected(c, sending.transactionId, chunk));
    }
  });

  it('refuses a Message-ID that is no ident though a template of its kind is kept', () => {
    const templates = new HeadTemplates();
    const plain = parseContentType('text/plain')!;
    const send = (id: string) => {
      const message = new OutgoingMessage(id, plain, Buffer.from('a'));
      const sending = newSending(
        message,
        {},
        () => {},
        () => {},
      );
      return chunkHead(
        sending,
        { body: Buffer.from('a'), start: 1, last: true },
        1,
        toPath,
        fromPath,
        templates,
        new TransactionIds(),
      );
    };
    const first = send('good-id1');
    expect(send('good-id2').length).toBe(first.length);
    expect(() => send('bad\r\nTo-Path: x')).toThrow(/Message-ID/);
  });

  it('forgets its templates when the paths change', () => {
    const templates = new HeadTemplates();
    const other = [parseUri('msrp://c.example.com:9/carol;tcp')];
    const message = new OutgoingMessage(
      'msg-0001',
      parseContentType('text/plain')!,
      Buffer.from('a'),
    );
    const chunk: Chunk = { body: Buffer.from('a'), start: 1, last: true };
    chunkHead(
      newSending(
        message,
        {},
        () => {},
        () => {},
      ),
      chunk,
      1,
      toPath,
      fromPath,
      templates,
      new TransactionIds(),
    );
    const head = chunkHead(
      newSending(
        message,
        {},
        () => {},
        () => {},
      ),
      chunk,
      1,
      other,
      fromPath,
      templates,
      new TransactionIds(),
    );
    expect(Buffer.from(head).toString()).toContain('To-Path: msrp://c.example.com:9/carol;tcp\r\n');
  });

  it('takes the next transaction id when the body holds the end-line of one', () => {
    const given = ['tid0first', 'tid0second', 'tid0third'];
    const ids = { next: () => given.shift()!, occursIn: containsEndLine };
    const body = Buffer.from('text\r\n-------tid0first$\r\nmore');
    const message = new OutgoingMessage('msg-0002', parseContentType('text/plain')!, body);
    const sending = newSending(
      message,
      {},
      () => {},
      () => {},
    );
    const chunk: Chunk = { body, start: 1, last: true };
    const head = chunkHead(sending, chunk, body.length, toPath, fromPath, new HeadTemplates(), ids);
    expect(sending.transactionId).toBe('tid0second');
    expect(Buffer.from(head).toString()).toMatch(/^MSRP tid0second SEND\r\n/);
  });
});

describe('chunkFrame', () => {
  const plain = parseContentType('text/plain')!;
  const frameOf = (
    templates: HeadTemplates,
    id: string,
    body: Buffer,
    options: SendOptions = {},
    paths = toPath,
  ) => {
    const message = new OutgoingMessage(id, plain, body);
    const sending = newSending(
      message,
      options,
      () => {},
      () => {},
    );
    const chunk: Chunk = { body, start: 1, last: true };
    const frame = chunkFrame(sending, chunk, '$', paths, fromPath, templates, new TransactionIds());
    return { frame, sending, chunk };
  };

  it('writes a small message of a kind sent before as one view, byte for byte the frame', () => {
    const templates = new HeadTemplates();
    const made = vi.spyOn(templates, 'get');
    for (const [i, size] of [5, 5, 1024, 1025, 0, 7].entries()) {
      for (const options of [{}, { successReport: true }]) {
        const body = Buffer.alloc(size, 0x61 + i);
        const c: Case = { id: `msg-000${i}`, type: 'text/plain', body: body.toString(), options };
        const { frame, sending, chunk } = frameOf(templates, c.id, body, options);
        const tid = sending.transactionId;
        const text = frame.map((b) => Buffer.from(b).toString()).join('');
        expect(text).toBe(`${expected(c, tid, chunk)}${c.body}\r\n-------${tid}$\r\n`);
        // The first of each kind makes its template; later ones are one view up to 1 KiB.
        expect(frame.length).toBe(size === 0 ? 2 : size > 1024 ? 3 : 1);
      }
    }
    // One head object per kind, not per message.
    expect(made).toHaveBeenCalledTimes(2);
  });

  it('refuses a Message-ID that is no ident, and heads a new To-Path with it', () => {
    const templates = new HeadTemplates();
    frameOf(templates, 'good-id1', Buffer.from('a'));
    expect(() => frameOf(templates, 'bad\r\nTo-Path: x', Buffer.from('a'))).toThrow(/Message-ID/);
    const other = [parseUri('msrp://c.example.com:9/carol;tcp')];
    const { frame } = frameOf(templates, 'good-id2', Buffer.from('a'), {}, other);
    expect(Buffer.from(frame[0]!).toString()).toContain(
      'To-Path: msrp://c.example.com:9/carol;tcp\r\n',
    );
  });
});

describe('TransactionIds', () => {
  it('gives idents (RFC 4975 §9) that never repeat, with a random prefix per sender', () => {
    const ids = new TransactionIds();
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = ids.next();
      expect(seen.has(id)).toBe(false);
      seen.add(id);
    }
    const last = [...seen].at(-1)!;
    expect(last).toMatch(/^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/);
    const first = [...seen][0]!;
    // 64 random bits (16 hex digits) lead every id, the same for one sender.
    expect(first.slice(0, 16)).toMatch(/^[0-9A-F]{16}$/);
    expect(last.slice(0, 16)).toBe(first.slice(0, 16));
    expect(new TransactionIds().next().slice(0, 16)).not.toBe(first.slice(0, 16));
  });
});
