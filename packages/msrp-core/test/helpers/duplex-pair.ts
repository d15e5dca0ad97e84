// Two ends of an in-memory byte stream, for session and endpoint tests without sockets.
import { Duplex } from 'node:stream';

/**
 * Two Duplex streams wired to each other: what one writes the other reads; ending one ends
 * the other's readable side; destroying one destroys the other (as a reset connection would).
 */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (index: 0 | 1): Duplex =>
    new Duplex({
      read: () => undefined,
      write(chunk: Buffer, _encoding, callback) {
        ends[1 - index]!.push(chunk);
        callback();
      },
      final(callback) {
        ends[1 - index]!.push(null);
        callback();
      },
      destroy(error, callback) {
        const other = ends[1 - index]!;
        if (!other.destroyed) other.destroy();
        callback(error);
      },
    });
  ends.push(make(0), make(1));
  return [ends[0]!, ends[1]!];
}
