// `msrp send` interrupted (SIGINT) while it is still connecting: it exited 130 at once with
// nothing said, where every other end prints its error line, and with --json its last JSON
// line ({"event":"error",...}) that scripts read. The peer here takes the connection and
// never answers, so the sender waits in the middle of connecting for as long as the test needs.
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { start } from './cli-process.js';

it.for([
  ['--json', true],
  ['text', false],
] as const)(
  'SIGINT while connecting ends with the error line (%s), exit 130',
  async ([, json], { onTestFinished }) => {
    const sockets: Socket[] = [];
    let requested = (): void => undefined;
    // Its first request came: the sender waits for the answer that binds the session.
    const request = new Promise<void>((resolve) => (requested = resolve));
    const mute = createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => requested()).resume();
    }).listen(0, '127.0.0.1');
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      mute.close();
    });
    await once(mute, 'listening');
    const { port } = mute.address() as { port: number };
    const to = `msrp://127.0.0.1:${port}/mute;tcp`;
    const sender = start(onTestFinished, [
      'send',
      '--to',
      to,
      '--text',
      'hi',
      ...(json ? ['--json'] : []),
    ]);
    await request;
    sender.child.kill('SIGINT');

    expect((await sender.exited).code, sender.stderr).toBe(130);
    const message = `interrupted while connecting to ${to}`;
    expect(sender.stderr).toBe(`msrp send: ${message}\n`);
    if (json) {
      const lines = sender.stdout.trimEnd().split('\n');
      expect(JSON.parse(lines.at(-1)!)).toEqual({ event: 'error', message, exitCode: 130 });
    } else {
      expect(sender.stdout).toBe('');
    }
  },
);
