// IdTable: values by Message-ID in reused arrays (open addressing, removals shifted back),
// where a Map churned once per message rebuilt its table every few messages.
import { describe, expect, it } from 'vitest';
import { IdTable } from '../src/session/id-table.js';

describe('IdTable', () => {
  it('sets, gets, replaces, deletes and clears as a Map does', () => {
    const table = new IdTable<number>();
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
    // Before its first id it has no slots.
    expect([table.get('m-a1'), table.has('m-a1'), table.delete('m-a1')]).toEqual([
      undefined,
      false,
      false,
    ]);
    expect(table.set('m-a1', 1)).toBe(false);
    table.set('m-b2', 2);
    expect(table.size).toBe(2);
    expect(table.get('m-a1')).toBe(1);
    expect(table.has('m-b2')).toBe(true);
    expect(table.get('m-c3')).toBeUndefined();
    expect(table.has('m-c3')).toBe(false);
    expect(table.set('m-a1', 3)).toBe(true);
    expect(table.size).toBe(2);
    expect(table.get('m-a1')).toBe(3);
    expect(table.values().sort()).toEqual([2, 3]);
    expect(table.delete('m-a1')).toBe(true);
    expect(table.delete('m-a1')).toBe(false);
    expect(table.size).toBe(1);
    expect(table.get('m-a1')).toBeUndefined();
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get('m-b2')).toBeUndefined();
    expect(table.values()).toEqual([]);
    table.set('m-d4', 4);
    expect(table.values()).toEqual([4]);
  });

  it('agrees with a Map over many random sets and deletes, past several growths', () => {
    // A fixed sequence (no Math.random): ids from a small pool, so the same ones come and
    // go, sit in each other's probe runs and wrap around the table's end.
    let state = 12345;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const table = new IdTable<number>();
    const model = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      // The pool widens as it goes: the table grows to hold up to ~300 ids at once.
      const id = `id${next(Math.min(600, 8 + (step >> 4)))}`;
      if (next(3) === 0) expect(table.delete(id)).toBe(model.delete(id));
      else {
        table.set(id, step);
        model.set(id, step);
      }
      expect(table.size).toBe(model.size);
      const probe = `id${next(600)}`;
      expect(table.get(probe)).toBe(model.get(probe));
    }
    for (const [id, value] of model) expect(table.get(id)).toBe(value);
    expect(table.values().sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
  });

  it('gives each value once to a walk that deletes what it finds', () => {
    const table = new IdTable<string>();
    for (let i = 0; i < 50; i++) table.set(`m${i}`, `m${i}`);
    const seen: string[] = [];
    for (const id of table.values()) {
      seen.push(id);
      table.delete(id);
    }
    expect(seen.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`).sort());
    expect(table.size).toBe(0);
  });
});
