// The window of a session's outgoing chunks (issue 12, chat beside a file): the overdraft
// that small messages may take beyond a full byte window, and the narrowed byte window that
// keeps chat lines behind little of a file for a while.
import { describe, expect, it } from 'vitest';
import { NARROW_BYTES, NARROW_MS, SendWindow } from '../src/session/send-window.js';

const KiB = 1024;

describe('SendWindow', () => {
  it('lends an overdraft beyond the byte window, given back by whichever chunk of its writer is answered', () => {
    const w = new SendWindow<string>(4, 16, 8);
    w.add(16);
    w.add(16);
    expect(w.hasRoom).toBe(false);
    expect(w.overdraft).toBe(8);
    w.add(5, 'chat');
    expect(w.overdraft).toBe(3);
    w.release(16, 'file');
    expect(w.overdraft).toBe(3);
    w.release(5, 'chat');
    expect(w.overdraft).toBe(8);
    expect(w.bytes).toBe(16);
    // At maxChunks there is no overdraft: the connection's pending transactions are bounded.
    w.add(1, 'a');
    w.add(1);
    w.add(1);
    expect(w.chunks).toBe(4);
    expect(w.overdraft).toBe(0);
  });

  it('wakes a wait for room when an overdraft is given back, though the window is still full', async () => {
    const w = new SendWindow<string>(8, 16, 8);
    w.add(16);
    w.add(16);
    w.add(8, 'chat');
    let woken = false;
    const waiting = w.room().then(() => (woken = true));
    w.release(8, 'chat');
    await waiting;
    expect(woken).toBe(true);
    expect(w.hasRoom).toBe(false);
  });

  it('narrows the byte window for NARROW_MS, then widens it when next found full', () => {
    let now = 1000;
    const w = new SendWindow(1024, 512 * KiB, 8 * KiB, () => now);
    for (let i = 0; i < 16; i++) w.add(8 * KiB); // 128 KiB
    expect(w.full).toBe(false);
    w.narrow();
    expect(NARROW_BYTES).toBe(128 * KiB);
    expect(w.full).toBe(true);
    now += NARROW_MS - 1;
    expect(w.full).toBe(true);
    now += 1;
    expect(w.full).toBe(false);
    expect(w.hasRoom).toBe(true);
    for (let i = 0; i < 48; i++) w.add(8 * KiB); // 512 KiB: full by the whole window again
    expect(w.full).toBe(true);
  });

  it('never narrows a byte window below its own maxBytes', () => {
    const w = new SendWindow(1024, 64 * KiB, 0, () => 0);
    w.narrow();
    for (let i = 0; i < 7; i++) w.add(8 * KiB);
    expect(w.hasRoom).toBe(true);
    w.add(8 * KiB);
    expect(w.hasRoom).toBe(false);
  });
});
