// The window of a session's outgoing chunks (issue 12, chat beside a file): the overdraft
// that small messages may take beyond a full byte window, and the narrowed byte window that
// keeps chat lines behind little of a file for a while.
import { describe, expect, it } from 'vitest';
import {
  FLOOR_BYTES,
  NARROW_BYTES,
  NARROW_MS,
  RELAY_WINDOW_MS,
  SAMPLE_MS,
  SendWindow,
  WINDOW_MS,
} from '../src/session/send-window.js';

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

  /** Adds 8 KiB chunks to `w` until it is full; the bytes it took. */
  function fill(w: SendWindow): number {
    let bytes = 0;
    for (; !w.full; bytes += 8 * KiB) w.add(8 * KiB);
    return bytes;
  }

  /** The peer answers every chunk in flight. */
  function answerAll(w: SendWindow): void {
    while (w.chunks > 0) w.release(8 * KiB, undefined);
  }

  /** The peer answers what is in flight, and then what fills the window, `bytes` in all. */
  function answer(w: SendWindow, bytes: number): void {
    for (let answered = 0; answered < bytes;) {
      if (w.chunks === 0) fill(w);
      answered += w.bytes;
      answerAll(w);
    }
  }

  it('starts at the floor and grows to WINDOW_MS of the rate chunks are answered at, within maxBytes', () => {
    let now = 1000;
    const w = new SendWindow(1024, 4096 * KiB, 0, () => now);
    expect(fill(w)).toBe(FLOOR_BYTES);
    expect(FLOOR_BYTES).toBe(512 * KiB);
    // A slow peer: 512 KiB in SAMPLE_MS is 128 KiB in WINDOW_MS, below the floor.
    answerAll(w);
    now += SAMPLE_MS;
    expect(fill(w)).toBe(FLOOR_BYTES);
    // A fast one: 8 MiB answered in SAMPLE_MS, 2 MiB in WINDOW_MS.
    answer(w, 8192 * KiB);
    now += SAMPLE_MS;
    expect((8192 * KiB * WINDOW_MS) / SAMPLE_MS).toBe(2048 * KiB);
    expect(fill(w)).toBe(2048 * KiB);
    // Faster still: 32 MiB in SAMPLE_MS would be 8 MiB; maxBytes holds it at 4 MiB.
    answer(w, 32768 * KiB);
    now += SAMPLE_MS;
    expect(fill(w)).toBe(4096 * KiB);
    // The window fills within SAMPLE_MS of the last measure: the rate is not measured again.
    answer(w, 1024 * KiB);
    expect(fill(w)).toBe(4096 * KiB);
  });

  it('holds RELAY_WINDOW_MS of the rate when a relay answers, not WINDOW_MS', () => {
    let now = 1000;
    const w = new SendWindow(1024, 4096 * KiB, 0, () => now);
    w.windowMs = RELAY_WINDOW_MS;
    fill(w);
    answerAll(w);
    now += SAMPLE_MS;
    fill(w);
    // 16 MiB answered in SAMPLE_MS: 1.6 MiB in RELAY_WINDOW_MS, where WINDOW_MS holds 4.
    answer(w, 16384 * KiB);
    now += SAMPLE_MS;
    const chunk = 8 * KiB;
    expect(fill(w)).toBe(Math.ceil((16384 * KiB * RELAY_WINDOW_MS) / SAMPLE_MS / chunk) * chunk);
    expect(RELAY_WINDOW_MS).toBeLessThan(WINDOW_MS);
  });

  it('narrows to NARROW_BYTES or WINDOW_MS of the rate, whichever is more, and comes back to the floor when the peer slows down', () => {
    let now = 1000;
    const w = new SendWindow(1024, 4096 * KiB, 0, () => now);
    fill(w);
    answer(w, 8192 * KiB);
    now += SAMPLE_MS;
    expect(fill(w)).toBe(2048 * KiB);
    // A fast peer: a chat line already waits behind no more than WINDOW_MS of the file. Narrowed
    // to 16 chunks, the file would stall, each side waiting on the other (issue 12).
    w.narrow();
    answerAll(w);
    expect(fill(w)).toBe(2048 * KiB);
    // 4 MiB answered in NARROW_MS (the narrowed window runs out too): 40 KiB in WINDOW_MS. The
    // window is fitted when found full: at 2 MiB once more, then at the floor.
    now += NARROW_MS;
    answerAll(w);
    expect(fill(w)).toBe(2048 * KiB);
    answerAll(w);
    expect(fill(w)).toBe(FLOOR_BYTES);
    // A slow peer: the floor is more than WINDOW_MS of its rate, and narrowing cuts it.
    w.narrow();
    answerAll(w);
    expect(fill(w)).toBe(NARROW_BYTES);
  });

  it('keeps a maxBytes below the floor as the window, however fast the peer', () => {
    let now = 1000;
    const w = new SendWindow(1024, 256 * KiB, 0, () => now);
    expect(fill(w)).toBe(256 * KiB);
    answer(w, 65536 * KiB);
    now += SAMPLE_MS;
    expect(fill(w)).toBe(256 * KiB);
  });
});
