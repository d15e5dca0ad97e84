// Wire codec benchmark: Parser and encodeFrame against the least work the same job needs,
// measured in the same run on the same bytes.
import { randomBytes } from 'node:crypto';
import {
  encodeFrame,
  newMessageId,
  newSessionId,
  newTransactionId,
  parseUri,
  Parser,
  type ContentType,
  type ContinuationFlag,
  type FrameSink,
  type RequestHead,
} from '@msrp-ts/msrp-core';
import { formatHead } from '@msrp-ts/msrp-core/internal';
import { compare, toRow, type MeasureOptions, type Row } from './lib/measure.js';

const KiB = 1024;
/** Issue 12's goal for the parser alone on 100-byte messages, in messages per second. */
const GOAL_SMALL_MESSAGES = 1_000_000;
/** Size of the pieces the parser is fed, like reads from a socket. */
const PIECE = 64 * KiB;

/** One SEND chunk, ready to serialize, with its pre-formatted text for the baseline. */
interface Frame {
  head: RequestHead;
  body: Buffer;
  flag: ContinuationFlag;
  /** `formatHead(head)`: the same head text encodeFrame produces. */
  headText: string;
  /** `CRLF "-------" transact-id flag CRLF`. */
  endText: string;
}

/** A serialized stream of frames cut into {@link PIECE}-byte pieces. */
interface Stream {
  frames: Frame[];
  wire: Buffer;
  pieces: Buffer[];
  /** `CRLF "-------" transact-id` of every frame, then a sentinel that never matches. */
  markers: Buffer[];
  bodyBytes: number;
}

const alice = parseUri(`msrp://alice.example.com:7394/${newSessionId()};tcp`);
const bob = parseUri(`msrp://bob.example.net:8493/${newSessionId()};tcp`);
const octets: ContentType = { type: 'application', subtype: 'octet-stream', params: [] };
const text: ContentType = {
  type: 'text',
  subtype: 'plain',
  params: [{ name: 'charset', value: 'utf-8' }],
};

/**
 * `count` SEND chunks with random `bodySize`-byte bodies, grouped into messages of
 * `chunksPerMessage` chunks (Byte-Range and continuation flag set accordingly).
 */
function makeFrames(
  count: number,
  bodySize: number,
  chunksPerMessage: number,
  contentType: ContentType,
): Frame[] {
  const frames: Frame[] = [];
  const total = bodySize * chunksPerMessage;
  let messageId = '';
  for (let i = 0; i < count; i++) {
    const k = i % chunksPerMessage;
    if (k === 0) messageId = newMessageId();
    const start = k * bodySize + 1;
    const head: RequestHead = {
      kind: 'request',
      transactionId: newTransactionId(),
      method: 'SEND',
      toPath: [bob],
      fromPath: [alice],
      messageId,
      byteRange: { start, end: start + bodySize - 1, total },
      contentType,
    };
    const flag: ContinuationFlag = k === chunksPerMessage - 1 ? '$' : '+';
    // Random bytes: they will not contain an end-line (encodeFrame would refuse them).
    const body = randomBytes(bodySize);
    const endText = `\r\n-------${head.transactionId}${flag}\r\n`;
    frames.push({ head, body, flag, headText: formatHead(head), endText });
  }
  return frames;
}

function makeStream(frames: Frame[]): Stream {
  const wire = Buffer.concat(frames.flatMap((f) => encodeFrame(f.head, f.body, f.flag)));
  const pieces: Buffer[] = [];
  for (let i = 0; i < wire.length; i += PIECE) pieces.push(wire.subarray(i, i + PIECE));
  const markers = frames.map((f) => Buffer.from(`\r\n-------${f.head.transactionId}`, 'latin1'));
  markers.push(Buffer.from(`\r\n-------${'~'.repeat(40)}`, 'latin1'));
  const bodyBytes = frames.reduce((n, f) => n + f.body.length, 0);
  return { frames, wire, pieces, markers, bodyBytes };
}

// ---- parser ----------------------------------------------------------------------------

/** The least a sink can do: count. */
class CountingSink implements FrameSink {
  bodyBytes = 0;
  frames = 0;
  head(): void {}
  body(part: Uint8Array): void {
    this.bodyBytes += part.length;
  }
  end(): void {
    this.frames++;
  }
}

function parseStream(s: Stream, sink: CountingSink): void {
  const parser = new Parser(sink);
  for (const piece of s.pieces) parser.push(piece);
  parser.end();
}

/**
 * The least work any parser must do: for each frame, one `Buffer.indexOf` scan for its
 * end-line (`CRLF "-------" transact-id`, known in advance) over the same pieces, plus a look
 * at the seam between two pieces where an end-line may be cut. Returns the frames found.
 */
function scanEndLines(s: Stream): number {
  const { pieces, markers } = s;
  let frame = 0;
  let marker = markers[0]!;
  let skip = 0; // bytes at the start of the next piece that end an end-line already found
  for (let p = 0; p < pieces.length; p++) {
    const piece = pieces[p]!;
    let pos = skip;
    skip = 0;
    for (;;) {
      const i = piece.indexOf(marker, pos);
      if (i < 0) break;
      pos = i + marker.length + 3; // flag CRLF
      marker = markers[++frame]!;
      if (pos > piece.length) {
        skip = pos - piece.length;
        break;
      }
    }
    const next = pieces[p + 1];
    if (skip === 0 && next) {
      const tail = piece.subarray(Math.max(pos, piece.length - marker.length + 1));
      const seam = Buffer.concat([tail, next.subarray(0, marker.length - 1)]);
      const j = seam.indexOf(marker);
      if (j >= 0) {
        skip = j + marker.length + 3 - tail.length;
        marker = markers[++frame]!;
      }
    }
  }
  return frame;
}

// ---- serializer ------------------------------------------------------------------------

function encodeAll(frames: readonly Frame[]): number {
  let bytes = 0;
  for (const f of frames)
    for (const part of encodeFrame(f.head, f.body, f.flag)) bytes += part.length;
  return bytes;
}

/**
 * The least work any serializer must do: turn the same head text (already formatted) and
 * end-line into bytes, check once that the body does not contain the end-line (RFC 4975
 * §7.1), and pass the body by reference.
 */
function encodeBaseline(frames: readonly Frame[]): number {
  let bytes = 0;
  for (const f of frames) {
    const head = Buffer.from(f.headText, 'utf8');
    const end = Buffer.from(f.endText, 'latin1');
    const n = end.length - 3; // without flag CRLF
    if (f.body.indexOf(end.subarray(0, n)) >= 0 || f.body.compare(end, 2, n, 0, n - 2) === 0) {
      throw new Error('body contains its end-line');
    }
    const parts = [head, f.body, end];
    for (const part of parts) bytes += part.length;
  }
  return bytes;
}

// ---- the bench -------------------------------------------------------------------------

function check(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: got ${got}, expected ${want}`);
}

export async function runCodecBench(
  opts: MeasureOptions,
  log: (line: string) => void = () => {},
): Promise<Row[]> {
  const streams = {
    large: makeStream(makeFrames(128, 64 * KiB, 128, octets)), // one 8 MiB message
    medium: makeStream(makeFrames(2048, 2 * KiB, 32, octets)), // 64 KiB messages
    small: makeStream(makeFrames(10_000, 100, 1, text)),
  };

  // Both sides must see every frame, or the comparison means nothing.
  for (const [name, s] of Object.entries(streams)) {
    const sink = new CountingSink();
    parseStream(s, sink);
    check(`${name}: frames parsed`, sink.frames, s.frames.length);
    check(`${name}: body bytes parsed`, sink.bodyBytes, s.bodyBytes);
    check(`${name}: end-lines scanned`, scanEndLines(s), s.frames.length);
    check(`${name}: bytes encoded`, encodeAll(s.frames), s.wire.length);
    check(`${name}: bytes encoded by baseline`, encodeBaseline(s.frames), s.wire.length);
  }

  const parseBase =
    'one Buffer.indexOf scan per frame for its end-line (known in advance) over the same 64 KiB pieces';
  const encodeBase =
    'Buffer.from of the same pre-formatted head and end-line text + one indexOf end-line check of the body; body by reference';
  const rows: Row[] = [];
  const run = async (
    name: string,
    unit: 'MB/s' | 'msgs/s',
    ours: () => number,
    baseline: () => number,
    baselineIs: string,
    goal?: number,
    measure: MeasureOptions = opts,
  ): Promise<void> => {
    log(`codec: ${name}...`);
    rows.push(toRow('codec', name, unit, await compare(ours, baseline, measure), baselineIs, goal));
  };
  const parse = (s: Stream, units: number) => (): number => {
    parseStream(s, new CountingSink());
    return units;
  };
  const scan = (s: Stream, units: number) => (): number => {
    scanEndLines(s);
    return units;
  };
  const { large, medium, small } = streams;

  await run(
    'parse 64 KiB bodies',
    'MB/s',
    parse(large, large.wire.length),
    scan(large, large.wire.length),
    parseBase,
    0.8,
  );
  await run(
    'parse 2 KiB bodies',
    'MB/s',
    parse(medium, medium.wire.length),
    scan(medium, medium.wire.length),
    parseBase,
  );
  // The row with a goal of its own: a longer warm-up and more rounds, so that one round
  // slowed by a neighbour (the full run showed ±25 %) moves its median less.
  await run(
    'parse 100 B messages',
    'msgs/s',
    parse(small, small.frames.length),
    scan(small, small.frames.length),
    parseBase,
    undefined,
    { ...opts, rounds: 2 * opts.rounds - 1, warmupMs: 3 * opts.warmupMs },
  );
  // Issue 12: the parser alone at 1,000,000 100-byte messages per second or more.
  const small100 = rows.at(-1)!;
  rows.push({
    ...small100,
    name: 'parse 100 B messages, against 1M msgs/s',
    baseline: GOAL_SMALL_MESSAGES,
    ratio: small100.ours / GOAL_SMALL_MESSAGES,
    baselineSpread: 0,
    baselineIs: 'a fixed rate: 1,000,000 msgs/s (issue 12)',
    goal: 1,
  });
  await run(
    'encodeFrame 64 KiB bodies',
    'MB/s',
    () => encodeAll(large.frames),
    () => encodeBaseline(large.frames),
    encodeBase,
  );
  await run(
    'encodeFrame 100 B messages',
    'msgs/s',
    () => {
      encodeAll(small.frames);
      return small.frames.length;
    },
    () => {
      encodeBaseline(small.frames);
      return small.frames.length;
    },
    encodeBase,
  );
  return rows;
}
