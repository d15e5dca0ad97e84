import { describe, expect, it } from 'vitest';
import {
  createAnswer,
  createOffer,
  findMsrpMedia,
  missingRanges,
  negotiate,
  parseMsrpMedia,
  parseSdp,
  resumeOffer,
  resumeRange,
  SdpError,
  type AnswerCapabilities,
  type Negotiation,
  type PartialFileRecord,
  type Rejection,
} from '../src/index.js';

/** A version 4 UUID (RFC 9562), what a new file-transfer-id is. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ALICE = 'msrp://192.0.2.1:7654/alice1;tcp';
const BOB = 'msrp://192.0.2.2:8000/bob1;tcp';
const HASH = { algorithm: 'sha-256', value: 'AB:CD:EF:01' };

// Bob received the first 4000 octets of a 10000-octet file before the connection broke.
const RECORD: PartialFileRecord = {
  transferId: 'old1d',
  hash: HASH,
  size: 10000,
  received: [{ start: 1, end: 4000 }],
  name: 'big.bin',
  type: 'application/octet-stream',
};

const BOB_CAPS: AnswerCapabilities = { localUri: BOB, acceptTypes: ['*'] };

function accepted(result: Negotiation | Rejection): Negotiation {
  if (!result.accepted) throw new Error(`rejected: ${result.reason}`);
  return result;
}

function lines(sdp: string): string[] {
  return sdp.split('\r\n');
}

/** The offer with its a=file-range line replaced, as a peer might have written it. */
function withRange(offer: string, range: string): string {
  return offer.replace(/a=file-range:[^\r]*/, `a=file-range:${range}`);
}

describe('resumeRange and missingRanges', () => {
  it('asks from the first missing octet to the size', () => {
    expect(resumeRange(RECORD)).toEqual({ start: 4001, stop: 10000 });
    expect(resumeRange({ size: 10, received: [] })).toEqual({ start: 1, stop: 10 });
  });

  it('is undefined when the record holds the whole file, overlaps and order aside', () => {
    const received = [
      { start: 6, end: 10 },
      { start: 1, end: 4 },
      { start: 3, end: 7 },
    ];
    expect(resumeRange({ size: 10, received })).toBeUndefined();
    expect(missingRanges(10, received)).toEqual([]);
    expect(resumeRange({ size: 0, received: [] })).toBeUndefined();
  });

  it('spans the gaps in one range and lists them apart', () => {
    const received = [
      { start: 1, end: 100 },
      { start: 201, end: 300 },
      { start: 151, end: 160 },
    ];
    expect(missingRanges(400, received)).toEqual([
      { start: 101, end: 150 },
      { start: 161, end: 200 },
      { start: 301, end: 400 },
    ]);
    expect(resumeRange({ size: 400, received })).toEqual({ start: 101, stop: 400 });
    // The end arrived but a gap did not: the range stops at the gap's last octet.
    expect(resumeRange({ size: 300, received })).toEqual({ start: 101, stop: 200 });
    // Adjacent spans leave no gap between them.
    expect(
      missingRanges(20, [
        { start: 1, end: 10 },
        { start: 11, end: 15 },
      ]),
    ).toEqual([{ start: 16, end: 20 }]);
  });

  it('throws for spans that are not 1-based and inclusive within the file', () => {
    for (const span of [
      { start: 0, end: 5 },
      { start: 5, end: 4 },
      { start: 1, end: 11 },
      { start: 1.5, end: 3 },
    ]) {
      expect(() => missingRanges(10, [span])).toThrow(SdpError);
    }
    expect(() => missingRanges(-1, [])).toThrow('Invalid file size -1');
  });
});

describe('resume offers (RFC 5547 §6 file-range)', () => {
  it('a pull resume: new file-transfer-id, same hash, the missing range; the answer repeats it', () => {
    const file = resumeOffer(RECORD, 'pull')!;
    const offer = createOffer({ localUri: BOB, acceptTypes: ['*'], file });
    expect(lines(offer)).toContain('a=file-range:4001-10000');
    expect(lines(offer)).toContain('a=recvonly');
    const offered = findMsrpMedia(parseSdp(offer)).file!;
    expect(offered.selector).toEqual({
      name: 'big.bin',
      type: 'application/octet-stream',
      size: 10000,
      hash: HASH,
    });
    expect(offered.transferId).toMatch(UUID);
    expect(offered.transferId).not.toBe(RECORD.transferId);

    // Alice serves the file; her own description carries no range, the answer repeats Bob's.
    const answer = createAnswer(offer, {
      localUri: ALICE,
      acceptTypes: ['*'],
      serveFile: (wanted) => ({ selector: wanted.selector, range: { start: 1, stop: '*' } }),
    });
    expect(answer.accepted).toBe(true);
    expect(lines(answer.sdp)).toContain('a=file-range:4001-10000');
    expect(lines(answer.sdp)).toContain(`a=file-transfer-id:${offered.transferId!}`);

    const agreed = accepted(negotiate(offer, answer.sdp)).file!;
    expect(agreed).toMatchObject({
      mode: 'pull',
      sender: 'answerer',
      range: { start: 4001, stop: 10000 },
      resume: true,
      offset: 4000,
      length: 6000,
      expectedHash: 'sha-256:AB:CD:EF:01',
    });
  });

  it('a push resume with a * stop: the length comes from the size', () => {
    const offer = createOffer({
      localUri: ALICE,
      acceptTypes: ['*'],
      file: { ...resumeOffer(RECORD, 'push')!, range: { start: 4001, stop: '*' } },
    });
    expect(lines(offer)).toContain('a=file-range:4001-*');
    const seen: unknown[] = [];
    const answer = createAnswer(offer, {
      ...BOB_CAPS,
      acceptRange: (file) => {
        seen.push(file.range);
        return true;
      },
    });
    expect(seen).toEqual([{ start: 4001, stop: '*' }]);
    expect(lines(answer.sdp)).toContain('a=file-range:4001-*');
    const agreed = accepted(negotiate(offer, answer.sdp)).file!;
    expect(agreed).toMatchObject({ mode: 'push', resume: true, offset: 4000, length: 6000 });
  });

  it('a whole-file offer is no resume, and acceptRange is not asked', () => {
    const offer = createOffer({
      localUri: ALICE,
      acceptTypes: ['*'],
      file: { mode: 'push', selector: { size: 10, hash: HASH }, range: { start: 1, stop: 10 } },
    });
    const answer = createAnswer(offer, {
      ...BOB_CAPS,
      acceptRange: () => {
        throw new Error('asked');
      },
    });
    const agreed = accepted(negotiate(offer, answer.sdp)).file!;
    expect(agreed).toMatchObject({ resume: false, offset: 0, length: 10 });
    const plain = createOffer({
      localUri: ALICE,
      acceptTypes: ['*'],
      file: { mode: 'push', selector: {} },
    });
    const file = accepted(negotiate(plain, createAnswer(plain, BOB_CAPS).sdp)).file!;
    expect(file.range).toBeUndefined();
    expect(file).toMatchObject({ resume: false, offset: 0 });
    expect(file.length).toBeUndefined();
  });

  it('refuses a range when acceptRange says no: port 0 and a reason', () => {
    const offer = createOffer({
      localUri: ALICE,
      acceptTypes: ['*'],
      file: resumeOffer(RECORD, 'push')!,
    });
    const answer = createAnswer(offer, { ...BOB_CAPS, acceptRange: () => false });
    expect(answer.accepted).toBe(false);
    expect(answer.reason).toBe('we refuse the file-range 4001-10000');
    expect(findMsrpMedia(parseSdp(answer.sdp)).port).toBe(0);
    expect(negotiate(offer, answer.sdp)).toMatchObject({
      accepted: false,
      reason: 'the answer rejected the stream (port 0)',
    });
  });

  // RFC 4975 §8.6: max-size is the largest message a side takes; with a=file-range the MSRP
  // message carries only the range (RFC 5547 §6), so the range is what must fit, not the file.
  it('holds the range, not the whole file, against our max-size', () => {
    const offer = createOffer({
      localUri: ALICE,
      acceptTypes: ['*'],
      file: resumeOffer(RECORD, 'push')!,
    });
    for (const range of ['4001-10000', '4001-*']) {
      const fits = createAnswer(withRange(offer, range), { ...BOB_CAPS, maxSize: 6000 });
      expect(fits.reason).toBeUndefined();
      expect(fits.accepted).toBe(true);
      const over = createAnswer(withRange(offer, range), { ...BOB_CAPS, maxSize: 5999 });
      expect(over.reason).toBe(
        `the file-range ${range} of 6000 octets exceeds our max-size of 5999`,
      );
    }
    // The whole file, written as a range or not, is the file.
    expect(createAnswer(withRange(offer, '1-*'), { ...BOB_CAPS, maxSize: 9999 }).reason).toBe(
      'the file of 10000 octets exceeds our max-size of 9999',
    );
  });

  it('refuses a range past the end of the file, start or stop', () => {
    const offer = createOffer({
      localUri: ALICE,
      acceptTypes: ['*'],
      file: resumeOffer(RECORD, 'push')!,
    });
    for (const [range, why] of [
      ['10001-*', 'starts after'],
      ['10001-10001', 'starts after'],
      ['5-10001', 'ends after'],
    ] as const) {
      const answer = createAnswer(withRange(offer, range), BOB_CAPS);
      expect(answer.accepted).toBe(false);
      expect(answer.reason).toBe(
        `the file-range ${range} ${why} the end of the file of 10000 octets`,
      );
      // negotiate refuses it too, whatever the answer says.
      const forced = withRange(createAnswer(offer, BOB_CAPS).sdp, range);
      expect(negotiate(withRange(offer, range), forced)).toMatchObject({ accepted: false });
    }
    // A pull for a range the served file does not have.
    const pull = createOffer({
      localUri: BOB,
      acceptTypes: ['*'],
      file: { mode: 'pull', selector: { hash: HASH }, range: { start: 50, stop: '*' } },
    });
    const answer = createAnswer(pull, {
      ...BOB_CAPS,
      localUri: ALICE,
      serveFile: () => ({ selector: { hash: HASH, size: 40 } }),
    });
    expect(answer.reason).toBe('the file-range 50-* starts after the end of the file of 40 octets');
  });

  it('negotiate rejects an answer that drops or changes the range', () => {
    const offer = createOffer({
      localUri: ALICE,
      acceptTypes: ['*'],
      file: resumeOffer(RECORD, 'push')!,
    });
    const answer = createAnswer(offer, BOB_CAPS).sdp;
    const dropped = answer.replace(/a=file-range:[^\r]*\r\n/, '');
    expect(negotiate(offer, dropped)).toEqual({
      accepted: false,
      mediaIndex: 0,
      reason: 'the answer did not repeat the file-range 4001-10000 (it has none)',
    });
    expect(negotiate(offer, withRange(answer, '1-10000'))).toMatchObject({
      accepted: false,
      reason: 'the answer did not repeat the file-range 4001-10000 (it has 1-10000)',
    });
    // 4001-* and 4001-10000 are the same octets of a 10000-octet file.
    expect(accepted(negotiate(offer, withRange(answer, '4001-*'))).file?.offset).toBe(4000);
  });

  it('createOffer throws for a resume it cannot write', () => {
    const file = resumeOffer(RECORD, 'push')!;
    const offer = (f: typeof file): string =>
      createOffer({ localUri: ALICE, acceptTypes: ['*'], file: f });
    expect(() => offer({ ...file, transferId: RECORD.transferId })).toThrow(
      'A resume offer needs a new file-transfer-id, not that of the transfer it resumes (old1d)',
    );
    expect(() => offer({ ...file, selector: { size: 10000 } })).toThrow(
      'A resume offer needs the file hash in its selector',
    );
    const noRange = { ...file };
    delete (noRange as { range?: unknown }).range;
    expect(() => offer(noRange)).toThrow('A resume offer needs the file-range still missing');
    expect(() => offer({ ...file, range: { start: 10001, stop: '*' } })).toThrow(
      'Cannot offer the file-range 10001-* starts after the end of the file of 10000 octets',
    );
    expect(() => offer({ ...file, transferId: 'fresh1' })).not.toThrow();
  });

  it('createOffer throws for a file-range that is no range, which it would write unreadable', () => {
    const offer = (range: { start: number; stop: number | '*' }, size?: number): string =>
      createOffer({
        localUri: ALICE,
        acceptTypes: ['*'],
        file: { mode: 'push', selector: size === undefined ? {} : { size }, range },
      });
    for (const [range, size] of [
      [{ start: 7, stop: 6 }, 10],
      [{ start: 7, stop: 6 }, undefined],
      [{ start: 0, stop: 5 }, undefined],
      [{ start: 1.5, stop: '*' }, undefined],
    ] as const) {
      expect(() => offer(range, size)).toThrow(
        `Cannot offer the file-range ${range.start}-${range.stop}: it must be <start>-<stop> with 1 <= start <= stop, or <start>-*`,
      );
    }
    expect(() => offer({ start: 6, stop: 6 })).not.toThrow();
  });

  it('createOffer throws for a direction the file does not go (RFC 5547 §8)', () => {
    const file = resumeOffer(RECORD, 'push')!;
    expect(() =>
      createOffer({ localUri: ALICE, acceptTypes: ['*'], file, direction: 'recvonly' }),
    ).toThrow('A push file offer is sendonly, not recvonly');
    expect(() =>
      createOffer({ localUri: ALICE, acceptTypes: ['*'], file, direction: 'sendonly' }),
    ).not.toThrow();
  });

  it('resumeOffer is undefined when nothing is missing', () => {
    expect(
      resumeOffer({ ...RECORD, received: [{ start: 1, end: 10000 }] }, 'pull'),
    ).toBeUndefined();
  });

  it('a bad file-range from a peer is an SdpError naming its line', () => {
    const offer = createOffer({
      localUri: ALICE,
      acceptTypes: ['*'],
      file: resumeOffer(RECORD, 'push')!,
    });
    const line = lines(offer).indexOf('a=file-range:4001-10000') + 1;
    for (const bad of [
      '0-5',
      '7-6',
      '-5',
      '5-',
      '5-x',
      '1-99999999999999999',
      '9999999999999999-*',
    ]) {
      let error: unknown;
      try {
        parseMsrpMedia(parseSdp(withRange(offer, bad)));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SdpError);
      expect(error).toMatchObject({
        code: 'SDP_ERR_BAD_ATTRIBUTE',
        line,
        text: `a=file-range:${bad}`,
      });
      expect(() => createAnswer(withRange(offer, bad), BOB_CAPS)).toThrow(
        `Invalid file-range "${bad}"`,
      );
    }
  });
});
