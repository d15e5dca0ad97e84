// Issue 12 (memory): a file source that reads into buffers is told which of its octets the
// peer confirmed, through the send's progress, so that it may read into their buffers again.
import { describe, expect, it, vi } from 'vitest';
import { nodeHasher } from '../src/node/node-hasher.js';
import { fileMessage } from '../src/session/file-send.js';
import type { FileSource } from '../src/session/file-transfer.js';
import type { Progress } from '../src/session/delivery.js';

function source(released?: (position: number) => void): FileSource {
  return {
    bytes: new Uint8Array(100),
    name: 'f.bin',
    size: 100,
    contentType: 'application/octet-stream',
    release: () => undefined,
    ...(released && { released }),
  };
}

const progress = (bytes: number): Progress => ({ bytes, total: 100, rate: 0 });

describe('a file source is told what the peer confirmed', () => {
  it('the whole file, a resume (offset) and a range map to the file offsets', () => {
    const cases = [
      { options: {}, confirmed: 40, position: 40 },
      // A resume: the message's octets count from the offset, as the file's do.
      { options: { offset: 30 }, confirmed: 70, position: 70 },
      // A range: the message starts at 0, the file at range.start - 1.
      { options: { range: { start: 21, end: 60 } }, confirmed: 15, position: 35 },
    ];
    for (const { options, confirmed, position } of cases) {
      const released = vi.fn();
      const mine = vi.fn();
      const { sendOptions } = fileMessage(
        source(released),
        { ...options, onProgress: mine },
        nodeHasher,
      );
      sendOptions.onProgress!(progress(confirmed));
      expect(released).toHaveBeenCalledWith(position);
      expect(mine).toHaveBeenCalledWith(progress(confirmed));
    }
  });

  it('a source that does not ask leaves the progress option as it was', () => {
    const { sendOptions } = fileMessage(source(), {}, nodeHasher);
    expect(sendOptions.onProgress).toBeUndefined();
  });
});
