// Frames that parse but make no sense, for the robustness properties of the endpoint and the
// relay: requests and responses of any method with odd paths, Byte-Ranges, report headers,
// types and bodies, mostly framed right (a response has no body), now and then not.
import fc from 'fast-check';

const ident = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.+%=-]{3,20}$/);
const count = fc.constantFrom('0', '1', '2', '5', '99', '100', '101', '9007199254740991', '*');

/** Byte-Ranges a sender may send: start <= end + 1, end <= total (or `*`). */
const validRange = fc
  .tuple(fc.constantFrom(1, 1, 2, 50, 101), fc.constantFrom(0, 1, 99), fc.nat(3))
  .map(([start, length, kind]) => {
    const end = start + length - 1;
    return [
      String(start),
      kind === 0 ? '*' : String(end),
      kind === 1 ? '*' : String(kind === 2 ? end + 7 : end),
    ] as const;
  });

/** One frame's parts; `to` and `from` pick among the caller's paths (see {@link frameText}). */
const frames = fc.record({
  tid: ident,
  start: fc.constantFrom(
    'SEND',
    'SEND',
    'SEND',
    'REPORT',
    'AUTH',
    'NICKNAME',
    'BOGUS',
    '200 OK',
    '481 No',
    '408',
    '000 x',
  ),
  to: fc.nat(),
  from: fc.nat(),
  messageId: fc.option(ident, { nil: undefined }),
  byteRange: fc.option(
    fc.oneof({ weight: 4, arbitrary: validRange }, fc.tuple(count, count, count)),
    {
      nil: undefined,
    },
  ),
  type: fc.option(
    fc.constantFrom(
      'text/plain',
      'message/cpim',
      'application/im-iscomposing+xml',
      'message/imdn+xml',
      'multipart/mixed;boundary=x',
      'a/b;c=d',
    ),
    { nil: undefined },
  ),
  // Header values mostly valid (else the frame gets 400 and its connection closes).
  reports: fc.option(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(['Success-Report', 'yes'], ['Success-Report', 'no']),
      },
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          ['Failure-Report', 'yes'],
          ['Failure-Report', 'no'],
          ['Failure-Report', 'partial'],
        ),
      },
      fc.constant(['Success-Report', 'partial']),
    ),
    { nil: undefined },
  ),
  status: fc.option(
    fc.constantFrom('000 200 OK', '000 413 Too big', '000 481', '000 999 x', '200'),
    {
      nil: undefined,
    },
  ),
  extra: fc.option(
    fc.constantFrom(
      'Content-Disposition: attachment; filename="x.bin"',
      'Content-Disposition: render',
      'Use-Nickname: "nick"',
      'Expires: 5',
      'Authorization: Digest username="u"',
      'File-Hash: sha-256:00',
    ),
    { nil: undefined },
  ),
  body: fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc
      .constantFrom(
        'From: <sip:a@x>\r\nTo: <sip:b@x>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Disposition-Notification: positive-delivery\r\n\r\nContent-Type: text/plain\r\n\r\nhi',
        '<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><refresh>0</refresh></isComposing>',
        '<?xml version="1.0"?><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id><datetime>junk</datetime></imdn>',
      )
      .map((text) => new TextEncoder().encode(text)),
  ),
  flag: fc.constantFrom('$', '$', '+', '#'),
});
export type FrameParts = typeof frames extends fc.Arbitrary<infer T> ? T : never;

/** Mostly frames that frame right (a response has no body), now and then one that does not. */
export const hostileFrames: fc.Arbitrary<FrameParts> = fc.oneof(
  {
    weight: 4,
    arbitrary: frames.map((f) =>
      /^\d/.test(f.start) ? { ...f, type: undefined, byteRange: undefined } : f,
    ),
  },
  frames,
);

/**
 * The bytes of a frame from `parts`, its To-Path and From-Path picked from `to` and `from`
 * (paths as their header values), or `other`: a URI no one listens on.
 */
export function frameText(
  parts: FrameParts,
  to: readonly string[],
  from: readonly string[],
): Buffer {
  const other = `msrp://127.0.0.1:9/${parts.tid.replace(/[^A-Za-z0-9]/g, '')}x;tcp`;
  const pick = (paths: readonly string[], k: number): string =>
    [...paths, other][k % (paths.length + 1)]!;
  const lines = [
    `MSRP ${parts.tid} ${parts.start}`,
    `To-Path: ${pick(to, parts.to)}`,
    `From-Path: ${pick(from, parts.from)}`,
  ];
  if (parts.messageId) lines.push(`Message-ID: ${parts.messageId}`);
  if (parts.byteRange)
    lines.push(`Byte-Range: ${parts.byteRange[0]}-${parts.byteRange[1]}/${parts.byteRange[2]}`);
  if (parts.reports) lines.push(`${parts.reports[0]}: ${parts.reports[1]}`);
  if (parts.status) lines.push(`Status: ${parts.status}`);
  if (parts.extra) lines.push(parts.extra);
  const end = `-------${parts.tid}${parts.flag}\r\n`;
  if (!parts.type) return Buffer.from(`${lines.join('\r\n')}\r\n${end}`, 'latin1');
  lines.push(`Content-Type: ${parts.type}`);
  return Buffer.concat([
    Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'),
    parts.body,
    Buffer.from(`\r\n${end}`, 'latin1'),
  ]);
}
