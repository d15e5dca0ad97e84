// Runnable: pnpm exec tsx --conditions=source examples/codec.ts (the README shows this file).
import { Parser, encodeFrame, newTransactionId, parseUri } from '@msrp-ts/msrp-core';

// Serialize: a frame is a list of buffers [head, body, end-line], never concatenated.
const frame = encodeFrame(
  {
    kind: 'request',
    method: 'SEND',
    transactionId: newTransactionId(),
    toPath: [parseUri('msrp://bob.example.com:2855/kjhd37s2s20w2a;tcp')],
    fromPath: [parseUri('msrp://alice.example.com:7654/jshA7weztas;tcp')],
    messageId: '87652491',
    byteRange: { start: 1, end: 5, total: 5 },
    contentType: { type: 'text', subtype: 'plain', params: [] },
  },
  Buffer.from('Hello'),
);

// Parse: push bytes in any pieces; heads, body slices (views, not copies) and end-lines
// arrive on a sink. A sink method returning false pauses the parser until resume().
const parser = new Parser({
  head: (head) => console.log(head.kind, head.transactionId, head.toPath[0]?.sessionId),
  body: (part) => console.log('body', Buffer.from(part).toString()),
  end: (flag) => console.log('end', flag), // '$' complete, '+' more chunks follow, '#' aborted
});
for (const bytes of frame) parser.push(bytes);
