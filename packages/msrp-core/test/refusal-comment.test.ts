// What a receiver's 413 tells the sender about why it refused the rest of a message, and
// what the sender makes of it: the kind of failure, never the failure's own text.
import { expect, it } from 'vitest';
import { MsrpError } from '../src/index.js';
import { peerRefusal, refusalComment } from '../src/session/peer-error.js';

it('names a hash mismatch and a store that failed, and nothing of the error itself', () => {
  const mismatch = new MsrpError('MSRP_ERR_HASH_MISMATCH', '/home/bob/f.bin.part has the hash x');
  expect(refusalComment(mismatch)).toBe('Hash mismatch');
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
  });
  expect(refusalComment(full)).toBe('The receiver could not store this message');
  expect(refusalComment(new MsrpError('MSRP_ERR_FILE', 'Cannot open /home/bob/f.bin'))).toBe(
    'The receiver could not store this message',
  );
  for (const other of [undefined, new Error('stopped'), new MsrpError('MSRP_ERR_ABORTED', 'x')]) {
    expect(refusalComment(other)).toBe('The receiver did not read this message');
  }
});

it('reads a 413 that says Hash mismatch as MSRP_ERR_HASH_MISMATCH, any other as the peer refusing', () => {
  expect(peerRefusal('Peer answered', 413, 'Hash mismatch')).toMatchObject({
    code: 'MSRP_ERR_HASH_MISMATCH',
    status: 413,
    message: 'Peer answered 413 Hash mismatch',
  });
  expect(peerRefusal('Failure REPORT', 413, ' hash MISMATCH ').code).toBe('MSRP_ERR_HASH_MISMATCH');
  expect(peerRefusal('Peer answered', 413, 'Too big').code).toBe('MSRP_ERR_REMOTE');
  // Only a 413 stops a message for its octets (RFC 4975 §7.1); a 400 saying so does not.
  expect(peerRefusal('Peer answered', 400, 'Hash mismatch').code).toBe('MSRP_ERR_REMOTE');
  expect(peerRefusal('Peer answered', 415).code).toBe('MSRP_ERR_UNSUPPORTED_TYPE');
  expect(peerRefusal('Peer answered', undefined).message).toBe('Peer answered');
});
