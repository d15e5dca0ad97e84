// Error codes that say what happened (a refused content type, a local file that cannot be
// read), the one conversion of unknown errors (toMsrpError), and the MsrpError brand that
// makes `instanceof` hold across two installed copies of the package.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { next } from './helpers/inbox.js';
import {
  DeliveryError,
  Endpoint,
  MsrpError,
  newMessageId,
  newTransactionId,
  parseContentType,
  toMsrpError,
  type CreateSessionOptions,
  type Session,
} from '../src/index.js';
import { cleanups } from './helpers/cleanups.js';

function endpoint(): Endpoint {
  const e = new Endpoint();
  cleanups.push(() => e.close());
  return e;
}

/** A passive session (with `options`) on a listening endpoint, and an active one bound to it. */
async function pair(
  options: CreateSessionOptions = {},
): Promise<{ active: Session; passive: Session }> {
  const b = endpoint();
  await b.listen();
  const passive = b.createSession(options);
  passive.accept();
  const active = endpoint().createSession({ chunkSize: 4 });
  await active.connect([passive.localUri]);
  return { active, passive };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

// ---- the brand ------------------------------------------------------------------------------

/** What another installed copy of @msrp-ts/msrp-core would define: no shared prototype. */
class OtherCopyMsrpError extends Error {
  get [Symbol.for('msrp-ts.MsrpError')](): boolean {
    return true;
  }
  readonly code = 'MSRP_ERR_CONNECTION';
}

class OtherCopyDeliveryError extends OtherCopyMsrpError {
  get [Symbol.for('msrp-ts.DeliveryError')](): boolean {
    return true;
  }
}

describe('MsrpError brand', () => {
  it('makes an error of a second copy of the package instanceof MsrpError', () => {
    const other = new OtherCopyMsrpError('from the other copy');
    expect(other instanceof MsrpError).toBe(true);
    expect(other instanceof DeliveryError).toBe(false);
    // toMsrpError takes it as it is rather than wrapping it as an unknown error.
    expect(toMsrpError(other, 'MSRP_ERR_FILE')).toBe(other);
  });

  it('makes a DeliveryError of a second copy instanceof DeliveryError', () => {
    const other = new OtherCopyDeliveryError('from the other copy');
    expect(other instanceof DeliveryError).toBe(true);
    expect(other instanceof MsrpError).toBe(true);
  });

  it('keeps subclasses to their own class: a DeliveryError is both, a plain MsrpError no DeliveryError', () => {
    const delivery = new DeliveryError('m1', 3, 'refused', {
      code: 'MSRP_ERR_REMOTE',
      status: 403,
    });
    expect(delivery instanceof DeliveryError).toBe(true);
    expect(delivery instanceof MsrpError).toBe(true);
    expect(delivery instanceof Error).toBe(true);
    const plain = new MsrpError('MSRP_ERR_REMOTE', 'refused', { status: 403 });
    expect(plain instanceof MsrpError).toBe(true);
    expect(plain instanceof DeliveryError).toBe(false);
    // A subclass without a brand of its own keeps the ordinary prototype test.
    class Local extends MsrpError {}
    expect(new Local('MSRP_ERR_LIMIT', 'x') instanceof Local).toBe(true);
    expect(plain instanceof Local).toBe(false);
    expect(new Local('MSRP_ERR_LIMIT', 'x') instanceof MsrpError).toBe(true);
  });

  it('refuses look-alikes without the brand', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'MSRP_ERR_CONNECTION' });
    expect(lookAlike instanceof MsrpError).toBe(false);
    expect({ [Symbol.for('msrp-ts.MsrpError')]: false } instanceof MsrpError).toBe(false);
    expect((null as unknown) instanceof MsrpError).toBe(false);
    expect(('MSRP_ERR_CONNECTION' as unknown) instanceof MsrpError).toBe(false);
  });
});

// ---- toMsrpError --------------------------------------------------------------------------

describe('toMsrpError', () => {
  it('returns an MsrpError as it is, with its own code', () => {
    const error = new MsrpError('MSRP_ERR_TIMEOUT', 'late', { status: 408 });
    expect(toMsrpError(error, 'MSRP_ERR_CONNECTION')).toBe(error);
  });

  it('wraps anything else with the fallback code, its message, and the original as cause', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const wrapped = toMsrpError(reset, 'MSRP_ERR_CONNECTION');
    expect(wrapped).toBeInstanceOf(MsrpError);
    expect(wrapped).toMatchObject({ code: 'MSRP_ERR_CONNECTION', message: 'read ECONNRESET' });
    expect(wrapped.cause).toBe(reset);
    expect(wrapped.status).toBeUndefined();
    const thrown = toMsrpError('a string', 'MSRP_ERR_FILE');
    expect(thrown).toMatchObject({ code: 'MSRP_ERR_FILE', message: 'a string', cause: 'a string' });
  });
});

// ---- MSRP_ERR_UNSUPPORTED_TYPE ------------------------------------------------------------

describe('MSRP_ERR_UNSUPPORTED_TYPE', () => {
  it('is the code of our 415 for a content type outside acceptTypes', () => {
    const session = endpoint().createSession({ acceptTypes: ['text/plain'] });
    session.accept();
    const send = (contentType: string) => () =>
      session.receiveSend({
        kind: 'request',
        method: 'SEND',
        transactionId: newTransactionId(),
        toPath: [session.localUri],
        fromPath: [session.localUri],
        messageId: newMessageId(),
        byteRange: { start: 1, end: 1, total: 1 },
        contentType: parseContentType(contentType)!,
      });
    expect(send('image/png')).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_UNSUPPORTED_TYPE', status: 415 }),
    );
    expect(send('text/plain')).not.toThrow();
  });

  it('is the code of a send the peer refuses with 415; its 413 stays MSRP_ERR_REMOTE', async () => {
    const { active } = await pair({ acceptTypes: ['text/plain'], maxSize: 8 });
    const refused = await failure(active.send('{}', { contentType: 'application/json' }));
    expect(refused).toBeInstanceOf(DeliveryError);
    expect(refused).toMatchObject({ code: 'MSRP_ERR_UNSUPPORTED_TYPE', status: 415 });
    const tooLarge = await failure(active.send('more than eight bytes'));
    expect(tooLarge).toMatchObject({ code: 'MSRP_ERR_REMOTE', status: 413 });
    expect((await active.send('fine')).bytes).toBe(4);
  });
});

// ---- MSRP_ERR_FILE ------------------------------------------------------------------------

describe('MSRP_ERR_FILE', () => {
  it('rejects sendFile of a missing path or a directory, with the fs error as cause', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-errors-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { active } = await pair();
    const missing = await failure(active.sendFile(join(dir, 'missing.txt')));
    expect(missing).toBeInstanceOf(MsrpError);
    expect(missing).not.toBeInstanceOf(DeliveryError);
    expect(missing).toMatchObject({ code: 'MSRP_ERR_FILE', cause: { code: 'ENOENT' } });
    expect(await failure(active.sendFile(dir))).toMatchObject({ code: 'MSRP_ERR_FILE' });
    // Nothing was wrong with the connection: the session goes on.
    expect((await active.send('still here')).bytes).toBe(10);
  });

  it('releases the source of a sendFile the session refuses at once', async () => {
    const { active } = await pair();
    await active.close();
    const source = new Readable({ read() {} });
    const error = await failure(active.sendFile(source, { name: 'never.bin' }));
    expect(error).toMatchObject({ code: 'MSRP_ERR_SESSION' });
    expect(source.destroyed).toBe(true);
  });

  it('fails a transfer whose source breaks midway with a DeliveryError of MSRP_ERR_FILE', async () => {
    const { active, passive } = await pair();
    const ioError = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    const source = new Readable({ read() {} });
    source.push(Buffer.from('abcdefgh'));
    const sending = active.sendFile(source, {
      name: 'broken.bin',
      // Once the first chunk is confirmed, the disk fails.
      onProgress: () => source.destroy(ioError),
    });
    const error = await failure(sending);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_FILE', status: undefined });
    expect((error as DeliveryError).cause).toBe(ioError);
    expect((error as DeliveryError).confirmedBytes).toBeGreaterThan(0);
    expect(passive.state).toBe('bound');
    // RFC 4975 §7.1: the peer is told with #, so it does not keep half a message waiting.
    const received = await next(passive[Symbol.asyncIterator](), 3000);
    expect(received.aborted).toBe(true);
    expect((await active.send('next')).bytes).toBe(4);
  });
});
