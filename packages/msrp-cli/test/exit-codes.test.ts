// How `classify` turns the library's error codes into the command's exit codes and messages.
import { describe, expect, it } from 'vitest';
import { DeliveryError, MsrpError } from '@msrp-ts/msrp-core';
import { classify, EXIT } from '../src/exit-codes.js';

const TO = 'msrp://127.0.0.1:2855/s;tcp';

describe('classify', () => {
  it('ends a send the peer refused with 415 as a failed delivery (exit 1)', () => {
    const refused = new DeliveryError('m1', 0, 'Peer answered 415 Unsupported Media Type', {
      code: 'MSRP_ERR_UNSUPPORTED_TYPE',
      status: 415,
      cause: new MsrpError('MSRP_ERR_UNSUPPORTED_TYPE', 'Peer answered 415 Unsupported Media Type'),
    });
    const result = classify(refused, 'deliver', TO);
    expect(result.exitCode).toBe(EXIT.failed);
    expect(result.message).toBe('delivery failed: 415 Unsupported Media Type (0 bytes confirmed)');
    expect(result.details).toMatchObject({ code: 'MSRP_ERR_UNSUPPORTED_TYPE', status: 415 });
  });

  it('says a Failure REPORT once, its status with it (not "413 Failure REPORT 413")', () => {
    const reported = new DeliveryError('m1', 720_896, 'Failure REPORT 413 Too large', {
      code: 'MSRP_ERR_REMOTE',
      status: 413,
      cause: new MsrpError('MSRP_ERR_REMOTE', 'Failure REPORT 413 Too large', { status: 413 }),
    });
    const result = classify(reported, 'deliver', TO);
    expect(result.exitCode).toBe(EXIT.failed);
    expect(result.message).toBe(
      'delivery failed: Failure REPORT 413 Too large (720896 bytes confirmed)',
    );
  });

  it('ends a file that breaks midway as a failed transfer (exit 1), not a lost connection', () => {
    const ioError = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    const broken = new DeliveryError('m1', 4096, ioError.message, {
      code: 'MSRP_ERR_FILE',
      cause: ioError,
    });
    const result = classify(broken, 'deliver', TO);
    expect(result.exitCode).toBe(EXIT.failed);
    expect(result.message).toBe(
      'cannot read the file: EIO: i/o error, read (4096 bytes confirmed)',
    );
  });

  it('ends a file whose session closed under it (481 once bytes went through) as a broken transfer (exit 3)', () => {
    const closed = (confirmedBytes: number): DeliveryError =>
      new DeliveryError('m1', confirmedBytes, 'Peer answered 481 Session closed', {
        code: 'MSRP_ERR_REMOTE',
        status: 481,
        cause: new MsrpError('MSRP_ERR_REMOTE', 'Peer answered 481 Session closed'),
      });
    const midway = classify(closed(4096), 'deliver', TO);
    expect(midway.exitCode).toBe(EXIT.connection);
    expect(midway.message).toBe('connection lost: 481 Session closed (4096 bytes confirmed)');
    // At the first chunk, 481 says there is no such session: a refusal.
    expect(classify(closed(0), 'deliver', TO).exitCode).toBe(EXIT.failed);
  });

  it('ends a file that cannot be opened as a usage error (exit 2)', () => {
    const missing = new MsrpError('MSRP_ERR_FILE', 'Cannot send ./x: ENOENT: no such file', {
      cause: Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }),
    });
    const result = classify(missing, 'deliver', TO);
    expect(result.exitCode).toBe(EXIT.usage);
    expect(result.message).toBe('Cannot send ./x: ENOENT: no such file');
  });

  it('knows an MsrpError of another copy of the library by its brand', () => {
    class OtherCopyMsrpError extends Error {
      get [Symbol.for('msrp-ts.MsrpError')](): boolean {
        return true;
      }
      readonly code = 'MSRP_ERR_CONNECTION';
      readonly status = undefined;
    }
    const result = classify(
      new OtherCopyMsrpError('Cannot connect to 127.0.0.1:2855: connect ECONNREFUSED'),
      'connect',
      TO,
    );
    expect(result.exitCode).toBe(EXIT.connection);
    expect(result.message).toBe(`cannot connect to ${TO}: connect ECONNREFUSED`);
  });
});
