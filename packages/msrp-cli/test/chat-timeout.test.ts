// `msrp chat --timeout`: at end of input the lines read wait that long to go out, and those
// still unsent then (no peer ever connected to --listen) were dropped with exit 0 and no
// word, a script piping a line in told it had been sent. With --listen, --timeout bounded
// nothing else: a peer that never answered held a line for the default 30 s.
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'vitest';
import { parseUri } from '@msrp-ts/msrp-core';
import { start } from './cli-process.js';

const LISTEN_URI = 'msrp://127.0.0.1:0/chat;tcp';

/** `msrp chat --listen` on a free port with `--timeout ms` and `extra` flags. */
const listenArgs = (ms: number, ...extra: string[]): string[] => [
  'chat',
  '--listen',
  '--uri',
  LISTEN_URI,
  '--timeout',
  String(ms),
  ...extra,
];

describe('msrp chat --timeout', () => {
  it('--listen with no peer before --timeout: the lines are reported and the exit is 4', async ({
    expect,
    onTestFinished,
  }) => {
    const chat = start(onTestFinished, listenArgs(500));
    await chat.waitFor('stdout', /^listening \S+\n/);
    chat.child.stdin!.end('nobody will read this\nnor this\n');
    expect(await chat.exited).toEqual({ code: 4, signal: null });
    expect(chat.stderr).toMatch(
      /^msrp chat: 2 lines not sent: no peer connected within 500 ms\n$/m,
    );
    expect(chat.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--json reports them as one error event, the last line of stdout', async ({
    expect,
    onTestFinished,
  }) => {
    const chat = start(onTestFinished, listenArgs(500, '--json'));
    await chat.waitFor('stdout', /"event":"listening"/);
    chat.child.stdin!.end('lost line\n');
    expect(await chat.exited).toEqual({ code: 4, signal: null });
    const events = chat.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.at(-1)).toMatchObject({ event: 'error', unsent: 1 });
  });

  it('lines a peer took before the end are no failure: exit 0', async ({
    expect,
    onTestFinished,
  }) => {
    const chat = start(onTestFinished, listenArgs(5000));
    const [, uri] = await chat.waitFor('stdout', /^listening (\S+)\n/);
    // Read before any peer came: sent once one does, within the wait.
    chat.child.stdin!.end('queued line\n');
    const peer = start(onTestFinished, ['chat', '--to', uri!]);
    await peer.waitFor('stdout', /^< queued line$/m);
    expect(await chat.exited).toEqual({ code: 0, signal: null });
    expect(chat.stderr).not.toMatch(/not sent/);
  });

  it('--listen --timeout bounds the wait for a response from a peer that never answers', async ({
    expect,
    onTestFinished,
  }) => {
    // --timeout was passed to the connecting side only: a listening chat waited 30 s.
    const chat = start(onTestFinished, listenArgs(1000, '--plain'));
    const [, uri] = await chat.waitFor('stdout', /^listening (\S+)\n/);
    // A peer that binds the session with an empty SEND, then answers nothing.
    const peer = connect(parseUri(uri!).port!, '127.0.0.1');
    onTestFinished(() => void peer.destroy());
    await once(peer, 'connect');
    peer.write(
      `MSRP bind1 SEND\r\nTo-Path: ${uri}\r\nFrom-Path: msrp://127.0.0.1:9/mute;tcp\r\n` +
        `Message-ID: bind1id\r\nByte-Range: 1-0/0\r\n-------bind1$\r\n`,
    );
    peer.resume();
    await chat.waitFor('stderr', /connected: /);
    chat.child.stdin!.write('anyone there?\n');
    await chat.waitFor('stderr', /not delivered: [^\n]*1000 ms/, 10_000);
    // One line failed; the chat goes on with its peer.
    expect(chat.running).toBe(true);
  });
});
