// The send side's per-session chunk-head templates (issue 12): every head they give is the
// bytes encodeHead gives for the same head, whatever the message's kind and order.
import { describe, expect, it } from 'vitest';
import { parseContentType, parseUri, type RequestHead } from '../src/index.js';
import { encodeHead } from '../src/internal.js';
import { HeadTemplates } from '../src/session/head-templates.js';
import { ContentTypes, OutgoingMessage } from '../src/session/outgoing-message.js';
import { chunkHead, newSending, type Chunk } from '../src/session/sending.js';
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
      const { transactionId, head } = chunkHead(sending, chunk, end, toPath, fromPath, templates);
      expect(Buffer.from(head).toString(), c.id).toBe(expected(c, transactionId, chunk));
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
      );
    };
    const first = send('good-id1').head;
    expect(send('good-id2').head.length).toBe(first.length);
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
    );
    const { head } = chunkHead(
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
    );
    expect(Buffer.from(head).toString()).toContain('To-Path: msrp://c.example.com:9/carol;tcp\r\n');
  });
});
