// IncomingMessage.filename is the terminal component of the sender's Content-Disposition
// filename. RFC 2183 §2.3: "The receiving MUA SHOULD NOT respect any directory path
// information that may seem to be present in the filename parameter." It kept the path, and
// the README's example (examples/session.ts) saves to join(dir, `received-${file.filename}`):
// a peer naming its file ../../x wrote outside dir.
import { join, relative, isAbsolute } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it.each(['../../../../tmp/hunt-recv/escaped.txt', '..\\..\\evil.txt', '/etc/cron.d/evil'])(
  'gives only the terminal component of a filename carrying a path (%s)',
  async (name) => {
    const { a, b } = await sessionPair(cleanups);
    const inbox = b[Symbol.asyncIterator]();
    await a.sendFile(new Uint8Array([1, 2, 3]), { name });
    const m = await next(inbox);
    expect(m.isFile).toBe(true);
    const filename = m.filename!;
    expect(filename).toBeDefined();
    expect(filename).not.toMatch(/[/\\]/);
    // The README's way of saving it stays in its directory.
    const dir = '/srv/inbox';
    const target = join(dir, `received-${filename}`);
    const inside = relative(dir, target);
    expect(inside.startsWith('..') || isAbsolute(inside)).toBe(false);
  },
);
