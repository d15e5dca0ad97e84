import { describe, expect, it } from 'vitest';
import { LiveSendings, type LiveLinks } from '../src/session/live-sendings.js';

interface Item extends LiveLinks<Item> {
  name: string;
}
const item = (messageId: string, name = messageId): Item => ({
  message: { messageId },
  name,
  live: false,
  older: undefined,
  newer: undefined,
});

describe('LiveSendings', () => {
  it('keeps messages oldest first and finds them by Message-ID', () => {
    const live = new LiveSendings<Item>();
    const [a, b, c] = [item('a'), item('b'), item('c')];
    live.add(a);
    live.add(b);
    expect(live.get('b')).toBe(b);
    // Added once the table was built: filed in it too.
    live.add(c);
    expect(live.get('c')).toBe(c);
    expect(live.remove(b)).toBe(true);
    expect(live.remove(b)).toBe(false);
    expect([live.get('a'), live.get('b'), live.get('c')]).toEqual([a, undefined, c]);
    expect(live.values()).toEqual([a, c]);
    expect(live.size).toBe(2);
    expect([b.live, b.older, b.newer]).toEqual([false, undefined, undefined]);
  });

  it('removes at either end and in the middle without losing the others', () => {
    const live = new LiveSendings<Item>();
    const items = ['a', 'b', 'c', 'd', 'e'].map((id) => item(id));
    for (const i of items) live.add(i);
    live.remove(items[0]!);
    live.remove(items[4]!);
    live.remove(items[2]!);
    expect(live.values().map((i) => i.name)).toEqual(['b', 'd']);
    live.remove(items[1]!);
    live.remove(items[3]!);
    expect(live.values()).toEqual([]);
    expect(live.get('b')).toBeUndefined();
    // Empty, then used again: found without the table of before.
    const f = item('f');
    live.add(f);
    expect(live.get('f')).toBe(f);
  });

  it('still finds the newer of two messages sharing an id once the older settles', () => {
    const live = new LiveSendings<Item>();
    const older = item('same', 'older');
    const newer = item('same', 'newer');
    live.add(older);
    live.add(item('other'));
    live.add(newer);
    expect(live.get('same')).toBe(newer);
    live.remove(older);
    expect(live.get('same')).toBe(newer);
    // And when the table is built only after the older left.
    const fresh = new LiveSendings<Item>();
    const [o, n] = [item('same', 'older'), item('same', 'newer')];
    fresh.add(o);
    fresh.add(n);
    fresh.remove(o);
    expect(fresh.get('same')).toBe(n);
  });
});
