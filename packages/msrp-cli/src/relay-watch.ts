// How `msrp listen --relay` gets back to its relay after the endpoint reported it lost
// (`relayLost`): the connection to the first relay is the only way peers reach us (RFC 4976 §5.1).
import { setTimeout as sleep } from 'node:timers/promises';
import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { CliError, EXIT } from './exit-codes.js';

/** Default of `listen --reconnect`: how long to keep trying to reach a lost relay again, ms. */
export const RECONNECT_DEFAULT_MS = 300_000;

/** First wait before reconnecting, doubled after each failure up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

/**
 * Calls `connect` until it succeeds, waiting longer after each failure (250 ms, doubling, at
 * most 30 s), for up to `forMs` in all; `onRetry` hears of each failure.
 * @returns undefined when `stopped` settles first.
 * @throws {CliError} with exit code 3 (connection) once `forMs` has passed; at once for a
 * failure that waiting will not cure (refused credentials, usage).
 */
export async function reconnect<T>(
  connect: () => Promise<T>,
  relay: MsrpUri,
  forMs: number,
  stopped: Promise<unknown>,
  onRetry: (message: string, delayMs: number) => void,
): Promise<T | undefined> {
  const deadline = Date.now() + forMs;
  let stop = false;
  void stopped.then(() => (stop = true));
  for (let delay = FIRST_BACKOFF_MS; ; delay = Math.min(delay * 2, MAX_BACKOFF_MS)) {
    if (stop) return undefined;
    let error: CliError;
    try {
      return await connect();
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      error = e;
    }
    if (error.exitCode !== EXIT.connection && error.exitCode !== EXIT.timeout) throw error;
    if (Date.now() + delay > deadline) {
      throw new CliError(
        `lost the relay ${formatUri(relay)} and could not reach it again: ${error.message}`,
        EXIT.connection,
      );
    }
    onRetry(error.message, delay);
    await Promise.race([sleep(delay), stopped]);
  }
}
