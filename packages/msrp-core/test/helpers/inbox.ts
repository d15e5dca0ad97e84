import type { IncomingMessage } from '../../src/index.js';

/** A session's messages, as `session[Symbol.asyncIterator]()` gives them. */
export type Inbox = AsyncIterator<IncomingMessage>;

/** The next message of a session, failing (rather than hanging) when none comes. */
export async function next(inbox: Inbox, timeout = 10_000): Promise<IncomingMessage> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    inbox.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no message within ${timeout} ms`)), timeout);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result.done) throw new Error('session ended');
  return result.value;
}
