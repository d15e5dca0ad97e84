// IncomingTable: the session's messages under way by Message-ID, a Map that keeps one entry
// of its own so that it never empties (V8 shrinks an emptied Map and grows it at the next set).
import { expect, it } from 'vitest';
import { IncomingTable } from '../src/session/incoming-table.js';
import type { Reassembly } from '../src/session/reassembly.js';

const message = (id: string): Reassembly => ({ id }) as unknown as Reassembly;

it('holds messages by Message-ID as a Map does, its own entry never seen', () => {
  const table = new IncomingTable();
  expect(table.size).toBe(0);
  expect([...table.values()]).toEqual([]);
  const a = message('a');
  const b = message('b');
  table.set('m-a1', a);
  table.set('m-b2', b);
  expect(table.size).toBe(2);
  expect(table.get('m-a1')).toBe(a);
  expect(table.get('m-b2')).toBe(b);
  expect(table.get(' ')).toBeUndefined();
  expect([...table.values()]).toEqual([a, b]);
  table.delete('m-a1');
  table.delete('m-a1');
  expect(table.size).toBe(1);
  expect(table.get('m-a1')).toBeUndefined();
  // A delete of the key no Message-ID can be changes nothing.
  table.delete(' ');
  expect(table.size).toBe(1);
  table.delete('m-b2');
  expect(table.size).toBe(0);
  expect([...table.values()]).toEqual([]);
  table.set('m-c3', a);
  table.clear();
  expect(table.size).toBe(0);
  expect([...table.values()]).toEqual([]);
  table.set('m-d4', b);
  expect(table.size).toBe(1);
  expect([...table.values()]).toEqual([b]);
});
