// fast-check property of the whole offer/answer exchange: whatever createOffer writes (it
// refuses, with an SdpError, a file-range that is no range or a direction the file does not
// go), createAnswer answers without throwing, and negotiate reads the
// pair as the answerer meant it: the stream taken or not, one side connecting to the
// other's first hop (never an .invalid one), messages flowing only to a side that receives,
// and a file's selector, sender, offset and length as offered (push) or served (pull).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createAnswer,
  createOffer,
  negotiate,
  SdpError,
  type AnswerCapabilities,
  type FileOffer,
  type FileSelector,
  type OfferOptions,
} from '../src/index.js';

const TYPES = ['text/plain', 'message/cpim', '*', 'image/*', 'image/png', 'text/*'];
const types = fc.uniqueArray(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 4 });
const wrapped = fc.uniqueArray(fc.constantFrom(...TYPES), { maxLength: 3 });
/** A side's URI: TCP or TLS, and a WebSocket client's `.invalid` host (RFC 7977 §5.2.2). */
const uri = (name: string, port: number): fc.Arbitrary<string> =>
  fc.constantFrom(
    `msrp://127.0.0.1:${port}/${name}1;tcp`,
    `msrps://[::1]:${port}/${name}2;tcp`,
    `msrp://${name}x.invalid:2855/${name}3;ws`,
    `msrps://${name}.example.com:443/${name}4;ws`,
  );
const relay = fc.option(
  fc.constantFrom('msrp://relay.example.com:2855/r1;tcp', 'msrps://relay.example.com:2855/r2;tcp'),
  { nil: undefined },
);
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined });
/** Drops the keys whose value is undefined (exactOptionalPropertyTypes). */
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const selector: fc.Arbitrary<FileSelector> = fc
  .record({
    name: maybe(fc.string({ unit: 'binary', minLength: 1, maxLength: 10 })),
    type: maybe(fc.constantFrom('image/png', 'text/plain', 'application/pdf')),
    size: maybe(fc.nat(100)),
    hash: maybe(fc.constant({ algorithm: 'sha-256', value: 'AB:CD:EF:01' })),
  })
  .map(defined);
const range = fc
  .tuple(
    fc.integer({ min: 0, max: 60 }),
    fc.oneof(fc.constant('*' as const), fc.integer({ min: -2, max: 60 })),
  )
  .map(([start, more]) => ({ start, stop: more === '*' ? more : start + more }));
const file: fc.Arbitrary<FileOffer> = fc
  .record({
    mode: fc.constantFrom('push' as const, 'pull' as const),
    selector,
    range: maybe(range),
    transferId: maybe(fc.constantFrom('t1', 'abc-123')),
  })
  .map(defined);

const offers: fc.Arbitrary<OfferOptions> = fc
  .record({
    localUri: uri('a', 7001),
    relay,
    acceptTypes: types,
    wrappedTypes: wrapped,
    setup: maybe(fc.constantFrom(null, 'actpass' as const, 'active' as const, 'passive' as const)),
    direction: maybe(
      fc.constantFrom('sendrecv' as const, 'sendonly' as const, 'recvonly' as const),
    ),
    file: maybe(file),
    maxSize: maybe(fc.nat(10_000)),
    cema: fc.boolean(),
  })
  .map(({ relay: hop, ...o }) => defined({ ...o, relayPath: hop && [hop] }));

const capabilities = fc
  .record({
    localUri: uri('b', 7002),
    relay,
    acceptTypes: types,
    wrappedTypes: wrapped,
    setup: maybe(fc.constantFrom('active' as const, 'passive' as const)),
    acceptFiles: fc.boolean(),
    maxSize: maybe(fc.nat(10_000)),
    cema: fc.boolean(),
    served: maybe(selector),
    takesRanges: fc.boolean(),
  })
  .map(({ relay: hop, served, takesRanges, ...caps }) => ({
    served,
    caps: defined<AnswerCapabilities>({
      ...caps,
      relayPath: hop && [hop],
      acceptRange: () => takesRanges,
      serveFile: served && ((requested) => ({ ...requested, selector: served })),
    }),
  }));

describe('offer/answer properties', () => {
  it('negotiate reads any answer to any offer as the answerer meant it', () => {
    fc.assert(
      fc.property(offers, capabilities, (options, { caps, served }) => {
        let offer: string;
        try {
          offer = createOffer(options);
        } catch (e) {
          expect(e).toBeInstanceOf(SdpError);
          return;
        }
        const answer = createAnswer(offer, caps);
        const n = negotiate(offer, answer.sdp);
        expect(n.accepted).toBe(answer.accepted);
        if (!n.accepted) return;

        expect(n.offerer.connects).not.toBe(n.answerer.connects);
        const [connector, other] = n.offerer.connects
          ? [n.offerer, n.answerer]
          : [n.answerer, n.offerer];
        const hop = other.localPath[0]!;
        expect(hop.host.endsWith('.invalid')).toBe(false);
        expect(connector.connectTo?.host.replace(/^\[(.*)\]$/, '$1')).toBe(hop.host);
        if (n.offerer.sends) expect(n.answerer.receives).toBe(true);
        if (n.answerer.sends) expect(n.offerer.receives).toBe(true);

        const offered = options.file;
        if (offered === undefined) {
          expect(n.file).toBeUndefined();
          return;
        }
        const push = offered.mode === 'push';
        const sent = push ? offered.selector : served!;
        expect(n.file).toMatchObject({
          mode: offered.mode,
          sender: push ? 'offerer' : 'answerer',
          offset: (offered.range?.start ?? 1) - 1,
        });
        expect(n.file!.description.selector).toEqual(sent);
        const start = offered.range?.start ?? 1;
        const stop = offered.range && offered.range.stop !== '*' ? offered.range.stop : sent.size;
        expect(n.file!.length).toBe(stop === undefined ? undefined : stop - start + 1);
      }),
      { numRuns: 1500 },
    );
  });
});
