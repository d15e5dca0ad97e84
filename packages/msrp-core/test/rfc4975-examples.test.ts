import { describe, expect, it } from 'vitest';
import { encodeFrame, Parser } from '../src/index.js';
import { formatHead } from '../src/internal.js';
import type { ContinuationFlag, Head } from '../src/index.js';
import { fixtures, type Rfc4975Fixture } from './fixtures/rfc4975.js';

type Event =
  | { readonly type: 'head'; readonly head: Head }
  | { readonly type: 'body'; readonly text: string }
  | { readonly type: 'end'; readonly flag: ContinuationFlag };

type RawEvent =
  | { readonly type: 'head'; readonly head: Head }
  | { readonly type: 'body'; readonly bytes: Buffer }
  | { readonly type: 'end'; readonly flag: ContinuationFlag };

/** Feeds `pieces` to a fresh parser and returns its events, consecutive body slices merged. */
function parse(pieces: readonly Uint8Array[]): Event[] {
  const raw: RawEvent[] = [];
  const parser = new Parser({
    head(head) {
      raw.push({ type: 'head', head });
    },
    body(part) {
      // The parser hands out views of its input: copy them.
      raw.push({ type: 'body', bytes: Buffer.from(part) });
    },
    end(flag) {
      raw.push({ type: 'end', flag });
    },
  });
  for (const piece of pieces) expect(parser.push(piece)).toBe(true);
  parser.end();

  const events: Event[] = [];
  let body: Buffer[] = [];
  const flushBody = (): void => {
    if (body.length > 0) events.push({ type: 'body', text: Buffer.concat(body).toString('utf8') });
    body = [];
  };
  for (const event of raw) {
    if (event.type === 'body') {
      body.push(event.bytes);
    } else {
      flushBody();
      events.push(event);
    }
  }
  flushBody();
  return events;
}

/** The events a fixture's frames must produce (an empty body produces no body event). */
function expectedEvents(fixture: Rfc4975Fixture): Event[] {
  return fixture.frames.flatMap((frame): Event[] => [
    { type: 'head', head: frame.head },
    ...(frame.body ? [{ type: 'body' as const, text: frame.body }] : []),
    { type: 'end', flag: frame.flag },
  ]);
}

describe('RFC 4975 / RFC 4976 example fixtures', () => {
  it('are well-formed: CRLF line ends only, consistent bodies', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    for (const fixture of fixtures) {
      expect(fixture.wire.endsWith('\r\n'), fixture.name).toBe(true);
      expect(fixture.wire.replace(/\r\n/g, ''), fixture.name).not.toMatch(/[\r\n]/);
      for (const frame of fixture.frames) {
        expect(frame.body !== undefined, fixture.name).toBe(frame.head.contentType !== undefined);
      }
    }
  });

  describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const bytes = Buffer.from(fixture.wire, 'utf8');
    const expected = expectedEvents(fixture);

    it('parses when pushed whole', () => {
      expect(parse([bytes])).toStrictEqual(expected);
    });

    it('parses when pushed byte by byte', () => {
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i++) pieces.push(bytes.subarray(i, i + 1));
      expect(parse(pieces)).toStrictEqual(expected);
    });

    it('parses when split in two at every offset', () => {
      for (let k = 0; k <= bytes.length; k++) {
        const events = parse([bytes.subarray(0, k), bytes.subarray(k)]);
        expect(events, `split at ${k}`).toStrictEqual(expected);
      }
    });

    it('parses when pushed as plain Uint8Arrays (not Buffers)', () => {
      const copy = new Uint8Array(bytes.length + 8);
      copy.set(bytes, 4);
      const view = copy.subarray(4, 4 + bytes.length);
      const half = Math.floor(view.length / 2);
      expect(parse([view.subarray(0, half), view.subarray(half)])).toStrictEqual(expected);
    });

    if (fixture.canonical) {
      it('is what encodeFrame writes for its frames', () => {
        const encoded = fixture.frames
          .map((frame) => {
            const body = frame.body === undefined ? undefined : Buffer.from(frame.body, 'utf8');
            return Buffer.concat(encodeFrame(frame.head, body, frame.flag)).toString('utf8');
          })
          .join('');
        expect(encoded).toBe(fixture.wire);
      });
    } else {
      it('is re-encoded in canonical order and parses back to the same frames', () => {
        const encoded = fixture.frames.map((frame) => {
          const body = frame.body === undefined ? undefined : Buffer.from(frame.body, 'utf8');
          return Buffer.concat(encodeFrame(frame.head, body, frame.flag));
        });
        const wire = Buffer.concat(encoded);
        // Same bytes in total, only the header lines moved.
        expect(wire.length).toBe(bytes.length);
        expect(wire.toString('utf8')).not.toBe(fixture.wire);
        expect(parse([wire])).toStrictEqual(expected);
      });
    }

    it('has heads that formatHead writes as the head lines of the wire text', () => {
      // Every header line formatHead writes appears, as a whole line, in the wire text.
      const wireLines = new Set(fixture.wire.split('\r\n'));
      for (const frame of fixture.frames) {
        for (const line of formatHead(frame.head).split('\r\n')) {
          if (line !== '') expect(wireLines.has(line), line).toBe(true);
        }
      }
    });
  });
});
