// What an idle connection holds (issue 13: a relay's memory per idle authenticated session):
// the parser's head memory is made on first use and let go by forgetHeaders, URI texts are
// flat strings, and every socketStream shares one set of listeners. Heap figures are per
// object over a few thousand, after full GCs.
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { socketStream } from '../src/internal.js';
import { encodeLatin1 } from '../src/wire/bytes.js';
import { Parser, type FrameSink } from '../src/wire/parser.js';
import { formatUri, parseUri } from '../src/wire/uri.js';
import { noEvents } from './helpers/no-events.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Heap bytes per object that `make` keeps, over `n` of them; `warmUp` more are made first and
 * dropped, so that code and type feedback made on first use are not counted per object.
 */
function heapPer(n: number, make: (i: number) => unknown, warmUp = 0): number {
  const kept: unknown[] = new Array<unknown>(n);
  for (let i = 0; i < warmUp; i++) make(n + i);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) kept[i] = make(i);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  expect(kept).toHaveLength(n);
  return (after - before) / n;
}

const sink: FrameSink = { head: () => true, body: () => true, end: () => true };

// An AUTH as a client sends it and the 200 that answers another request: the frames an
// authenticated relay client's connection has carried before it goes quiet.
const auth = (i: number): Uint8Array =>
  encodeLatin1(
    `MSRP t${i}x9a2 AUTH\r\n` +
      'To-Path: msrp://relay.example.net:2855;tcp\r\n' +
      `From-Path: msrp://10.0.0.1:40000/s${i}abcdef;tcp\r\n` +
      'Authorization: Digest username="alice", realm="example.net", nonce="abc", ' +
      'uri="msrp://relay.example.net:2855;tcp", response="0123456789abcdef0123456789abcdef"\r\n' +
      `-------t${i}x9a2$\r\n` +
      `MSRP r${i}y7 200 OK\r\n` +
      `To-Path: msrp://10.0.0.1:40000/s${i}abcdef;tcp\r\n` +
      'From-Path: msrp://relay.example.net:2855;tcp\r\n' +
      `-------r${i}y7$\r\n`,
  );

describe('memory of an idle connection', () => {
  it('a parser that read a head and forgot it holds under 400 bytes', () => {
    const per = heapPer(
      4000,
      (i) => {
        const parser = new Parser(sink);
        parser.push(auth(i));
        parser.forgetHeaders();
        return parser;
      },
      100,
    );
    // Before: ~1.7 KB (the header cache, head templates and the queue's backing store stayed).
    expect(per).toBeLessThan(400);
  });

  it('a parser keeps no view of what was pushed: a run of 200s read on its fast path', async () => {
    const ok = (tid: string): string =>
      `MSRP ${tid} 200 OK\r\n` +
      'To-Path: msrp://10.0.0.1:40000/s1abcdef;tcp\r\n' +
      'From-Path: msrp://relay.example.net:2855;tcp\r\n' +
      `-------${tid}$\r\n`;
    let heads = 0;
    const parser = new Parser({ ...sink, head: () => void heads++ });
    // The second 200 is read against the first's block: the view of the push it took must
    // not outlive the push (a relay's quiet client would keep a 64 KiB read block).
    const pushed = (): WeakRef<ArrayBuffer> => {
      const bytes = new Uint8Array(encodeLatin1(ok('r1y7') + ok('r2y7')));
      parser.push(bytes);
      return new WeakRef(bytes.buffer);
    };
    const ref = pushed();
    // A WeakRef holds its target until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    gc();
    expect(heads).toBe(2);
    expect(ref.deref()).toBeUndefined();
  });

  it('the cached text of a URI is one flat string, under 160 bytes for a 39-character URI', () => {
    const uris = Array.from({ length: 16_000 }, (_, i) =>
      parseUri(`msrp://10.0.0.${i % 250}:${40000 + i}/s${i}abcdefghij;tcp`),
    );
    // Per cached text, with its WeakMap entry: ~105 bytes; a tree of cons strings was ~275.
    // 16,000 of them, so that what the test worker allocates meanwhile is noise per URI.
    const perUri = heapPer(uris.length, (i) => formatUri(uris[i]!));
    expect(perUri).toBeLessThan(160);
    expect(formatUri(uris[7]!)).toBe('msrp://10.0.0.7:40007/s7abcdefghij;tcp');
  });

  it('every socketStream listens with the same functions: no closures per connection', () => {
    const [a, b] = [new PassThrough(), new PassThrough()];
    socketStream(a).open(noEvents);
    socketStream(b).open(noEvents);
    for (const name of ['data', 'end', 'drain', 'finish', 'error', 'close'] as const) {
      const [mine, theirs] = [a.listeners(name).at(-1), b.listeners(name).at(-1)];
      expect(mine, name).toBeDefined();
      expect(mine, name).toBe(theirs);
    }
    a.destroy();
    b.destroy();
  });
});

describe('what a received Message-ID holds', () => {
  it('is a string of its own, not a slice of its header block', () => {
    // A session remembers the Message-IDs of the last 256 messages it received; one sliced
    // out of a decode of the header block (~200 characters) kept that whole decode alive:
    // ~50 KiB more per busy receiving session.
    const heads: string[] = [];
    const parser = new Parser({
      head: (h) => void heads.push(h.messageId ?? ''),
      body: () => true,
      end: () => true,
    });
    const send = (i: number): Uint8Array =>
      encodeLatin1(
        `MSRP tx${i}ab SEND\r\n` +
          'To-Path: msrp://10.0.0.2:40000/s2abcdef;tcp\r\n' +
          'From-Path: msrp://10.0.0.1:40000/s1abcdef;tcp\r\n' +
          `Message-ID: ${(1e9 + i).toString(16)}0123456789abcdef\r\n` +
          'Byte-Range: 1-5/5\r\nContent-Type: text/plain\r\n\r\nhello\r\n' +
          `-------tx${i}ab$\r\n`,
      );
    // The first of a kind is read line by line; the ones after it against its template.
    parser.push(send(0));
    const n = 10_000;
    const ids: (string | undefined)[] = [];
    for (let i = 1; i <= n; i++) {
      parser.push(send(i));
      ids.push(heads.pop());
    }
    expect(new Set(ids).size).toBe(n);
    gc();
    gc();
    const held = process.memoryUsage().heapUsed;
    ids.length = 0;
    gc();
    gc();
    const per = (held - process.memoryUsage().heapUsed) / n;
    // Measured: 48-69 bytes an id of its own; 200 as a slice of its header block's decode.
    expect(per).toBeLessThan(150);
  });
});
