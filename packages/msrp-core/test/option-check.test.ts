// Numeric options out of range are refused where they are given, naming the option: a chunk
// size of 0 or a window of no chunks made every send hang without a word (issue 12 review).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';
import { sessionPair } from './helpers/session-pair.js';

describe('numeric options', () => {
  it('createSession refuses a session option out of range', async () => {
    const endpoint = new Endpoint();
    const bad: [Record<string, unknown>, string][] = [
      [{ chunkSize: 0 }, 'Session option chunkSize must be a whole number of 1 or more, not 0'],
      [{ chunkSize: -5 }, 'chunkSize must be a whole number of 1 or more, not -5'],
      [{ chunkSize: 1.5 }, 'not 1.5'],
      [{ chunkSize: '8' }, 'chunkSize must be a whole number of 1 or more, not "8"'],
      [{ maxInFlightChunks: 0 }, 'maxInFlightChunks must be'],
      [{ maxSize: -1 }, 'maxSize must be a whole number of 0 or more, not -1'],
      [{ reportTimeout: Number.NaN }, 'reportTimeout must be milliseconds from 0 to 2147483647'],
      // Past 2^31 - 1 ms a timer fires at once.
      [{ incompleteMessageTimeout: 3e9 }, 'incompleteMessageTimeout must be milliseconds from 0'],
    ];
    for (const [options, message] of bad) {
      expect(() => endpoint.createSession(options)).toThrow(message);
      expect(() => endpoint.createSession(options)).toThrow(
        expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
      );
    }
    expect(endpoint.sessionCount).toBe(0);
    // 0 where it means "none" or "off".
    const session = endpoint.createSession({ maxSize: 0, incompleteMessageTimeout: 0 });
    expect(session.state).toBe('new');
    await endpoint.close();
  });

  it('a send refuses its own reportTimeout or chunkSize out of range, as it does any bad option', async () => {
    const cleanups: Array<() => unknown> = [];
    try {
      const { a } = await sessionPair(cleanups);
      await expect(a.send('x', { reportTimeout: 3e9 })).rejects.toThrow(
        'Send option reportTimeout must be milliseconds from 0 to 2147483647, not 3000000000',
      );
      await expect(a.send('x', { reportTimeout: 1000 })).resolves.toBeDefined();
      await expect(a.send('x', { chunkSize: 0 })).rejects.toThrow(
        'Send option chunkSize must be a whole number of 1 or more, not 0',
      );
      await expect(a.sendFile(Buffer.from('x'), { chunkSize: 2.5 })).rejects.toThrow(
        'Send option chunkSize must be a whole number of 1 or more, not 2.5',
      );
      await expect(
        a.sendFile(fileURLToPath(import.meta.url), { chunkSize: Number.NaN }),
      ).rejects.toThrow('Send option chunkSize must be a whole number of 1 or more, not NaN');
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  });

  it('new Endpoint refuses an endpoint option, or a session default, out of range', () => {
    expect(() => new Endpoint({ maxSessions: 0 })).toThrow(
      'Endpoint option maxSessions must be a whole number of 1 or more, not 0',
    );
    expect(() => new Endpoint({ connectTimeout: 0 })).toThrow(
      'connectTimeout must be milliseconds above 0',
    );
    expect(() => new Endpoint({ keepaliveInterval: -1 })).toThrow('keepaliveInterval');
    expect(() => new Endpoint({ connectTimeout: 3e9 })).toThrow(
      'connectTimeout must be milliseconds above 0, at most 2147483647, not 3000000000',
    );
    expect(() => new Endpoint({ session: { chunkSize: 0 } })).toThrow(
      'Endpoint option session.chunkSize must be a whole number of 1 or more, not 0',
    );
  });
});
