// Unit tests of the runtime-neutral event emitter that Session, Endpoint and RelayRegistration use.
import { on as nodeOn, once as nodeOnce, type EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { nextEvent, TypedEmitter } from '../src/index.js';

interface Events {
  data: [n: number, label: string];
  close: [];
  error: [error: Error];
}

function emitter(): TypedEmitter<Events> {
  return new TypedEmitter<Events>();
}

describe('TypedEmitter', () => {
  it('calls listeners in the order they were added, with the arguments of emit', () => {
    const e = emitter();
    const calls: string[] = [];
    e.on('data', (n, label) => calls.push(`first ${n} ${label}`));
    e.addListener('data', (n, label) => calls.push(`second ${n} ${label}`));
    expect(e.emit('data', 1, 'a')).toBe(true);
    expect(e.emit('data', 2, 'b')).toBe(true);
    expect(calls).toEqual(['first 1 a', 'second 1 a', 'first 2 b', 'second 2 b']);
    expect(e.listenerCount('data')).toBe(2);
  });

  it('calls a once listener only on the next event', () => {
    const e = emitter();
    let count = 0;
    e.once('close', () => count++);
    expect(e.listenerCount('close')).toBe(1);
    e.emit('close');
    e.emit('close');
    expect(count).toBe(1);
    expect(e.listenerCount('close')).toBe(0);
  });

  it('removes a listener with off, whether added with on or once', () => {
    const e = emitter();
    let count = 0;
    const listener = (): void => {
      count++;
    };
    e.on('close', listener);
    e.once('close', listener);
    e.off('close', listener);
    expect(e.listenerCount('close')).toBe(1);
    e.removeListener('close', listener);
    expect(e.listenerCount('close')).toBe(0);
    expect(e.emit('close')).toBe(false);
    expect(count).toBe(0);
  });

  it('removes every listener of one event, or of all', () => {
    const e = emitter();
    e.on('close', () => undefined);
    e.on('data', () => undefined);
    e.removeAllListeners('close');
    expect(e.listenerCount('close')).toBe(0);
    expect(e.listenerCount('data')).toBe(1);
    e.removeAllListeners();
    expect(e.listenerCount('data')).toBe(0);
  });

  it("does not throw when 'error' has no listener (unlike Node's EventEmitter)", () => {
    const e = emitter();
    expect(e.emit('error', new Error('nobody listens'))).toBe(false);
  });

  it('lets a listener that throws stop the emit, the error reaching its caller', () => {
    const e = emitter();
    let later = 0;
    e.on('close', () => {
      throw new Error('boom');
    });
    e.on('close', () => later++);
    expect(() => e.emit('close')).toThrow('boom');
    expect(later).toBe(0);
  });

  it('keeps the listeners an emit started with, as Node does', () => {
    const e = emitter();
    const calls: string[] = [];
    const second = (): void => {
      calls.push('second');
    };
    e.on('close', () => {
      calls.push('first');
      e.off('close', second);
      e.on('close', () => calls.push('added'));
    });
    e.on('close', second);
    e.emit('close');
    expect(calls).toEqual(['first', 'second']);
    calls.length = 0;
    e.emit('close');
    expect(calls).toEqual(['first', 'added']);
  });

  it("works with Node's events.once and events.on", async () => {
    const e = emitter();
    // Node's helpers are typed for Node's EventEmitter; at run time they need on/once/removeListener.
    const asNode = e as unknown as EventEmitter;
    const first = nodeOnce(asNode, 'data');
    e.emit('data', 7, 'x');
    expect(await first).toEqual([7, 'x']);
    expect(e.listenerCount('data')).toBe(0);
    expect(e.listenerCount('error')).toBe(0);

    const failing = nodeOnce(asNode, 'close');
    e.emit('error', new Error('failed'));
    await expect(failing).rejects.toThrow('failed');
    expect(e.listenerCount('close')).toBe(0);

    const controller = new AbortController();
    const seen: unknown[] = [];
    const iterate = (async () => {
      for await (const args of nodeOn(asNode, 'data', { signal: controller.signal })) {
        seen.push(args);
        if (seen.length === 2) break;
      }
    })();
    e.emit('data', 1, 'a');
    e.emit('data', 2, 'b');
    await iterate;
    expect(seen).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(e.listenerCount('data')).toBe(0);
  });
});

describe('nextEvent', () => {
  it('resolves with the arguments of the next event and leaves no listener', async () => {
    const e = emitter();
    const next = nextEvent(e, 'data');
    e.emit('data', 3, 'c');
    e.emit('data', 4, 'd');
    expect(await next).toEqual([3, 'c']);
    expect(e.listenerCount('data')).toBe(0);
  });

  it('does not reject on an error event', async () => {
    const e = emitter();
    const next = nextEvent(e, 'close');
    e.emit('error', new Error('ignored'));
    e.emit('close');
    await expect(next).resolves.toEqual([]);
  });

  it('rejects with MSRP_ERR_ABORTED when the signal aborts, and removes its listener', async () => {
    const e = emitter();
    const controller = new AbortController();
    const next = nextEvent(e, 'close', { signal: controller.signal });
    const reason = new Error('gave up');
    controller.abort(reason);
    const expected = { code: 'MSRP_ERR_ABORTED', cause: reason };
    await expect(next).rejects.toMatchObject(expected);
    expect(e.listenerCount('close')).toBe(0);
    await expect(nextEvent(e, 'close', { signal: controller.signal })).rejects.toMatchObject(
      expected,
    );
    expect(e.listenerCount('close')).toBe(0);
  });
});
