// End-to-end tests of `msrp chat` speaking chat the RCS way: two real processes on loopback
// show each other's typing and ✓ (delivered) / ✓✓ (read) for the lines they sent.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { start, tempDir } from './cli-process.js';

const LISTEN_URI = 'msrp://127.0.0.1:0/chat;tcp';

describe('msrp chat', () => {
  it('shows the peer typing, and ✓ then ✓✓ for lines the peer got and displayed', async ({
    expect,
    onTestFinished,
  }) => {
    // a prints to a pipe: it answers delivered only. b marks displayed as a terminal would.
    const a = start(onTestFinished, ['chat', '--listen', '--uri', LISTEN_URI]);
    const [, uri] = await a.waitFor('stdout', /^listening (\S+)\n/);
    const b = start(onTestFinished, ['chat', '--to', uri!, '--mark-displayed']);
    await a.waitFor('stderr', /connected: /);

    // A partial line is typing; the line that completes it ends the typing (RFC 3994 §3.3).
    b.child.stdin!.write('hel');
    await a.waitFor('stderr', /^msrp chat: the peer is typing…$/m);
    b.child.stdin!.write('lo a\n');
    await a.waitFor('stdout', /^< hello a$/m);
    await a.waitFor('stderr', /^msrp chat: the peer stopped typing$/m);
    await b.waitFor('stderr', /^msrp chat: ✓ delivered: hello a$/m);

    a.child.stdin!.write('hi');
    await b.waitFor('stderr', /^msrp chat: the peer is typing…$/m);
    a.child.stdin!.write(' b\n');
    await b.waitFor('stdout', /^< hi b$/m);
    await a.waitFor('stderr', /^msrp chat: ✓ delivered: hi b$/m);
    await a.waitFor('stderr', /^msrp chat: ✓✓ read: hi b$/m);
    // a's output is a pipe: it never said it displayed b's line.
    expect(b.stderr).not.toContain('✓✓');

    b.child.stdin!.end();
    expect(await b.exited).toEqual({ code: 0, signal: null });
  });

  it('--json reports the CPIM metadata of messages and the notifications as events', async ({
    expect,
    onTestFinished,
  }) => {
    const a = start(onTestFinished, [
      'chat',
      '--listen',
      '--uri',
      LISTEN_URI,
      '--json',
      '--mark-displayed',
    ]);
    const [, uri] = await a.waitFor('stdout', /^\{"event":"listening","uri":"([^"]+)"/);
    const b = start(onTestFinished, ['chat', '--to', uri!, '--json']);
    await b.waitFor('stdout', /"event":"connected"/);
    b.child.stdin!.write('typing');
    await a.waitFor('stdout', /^\{"event":"composing"\}$/m);
    b.child.stdin!.write(' done\n');
    const [line] = await a.waitFor('stdout', /^\{"event":"message".*\}$/m);
    const message = JSON.parse(line) as Record<string, unknown>;
    expect(message).toMatchObject({
      event: 'message',
      text: 'typing done',
      from: 'sip:anonymous@anonymous.invalid',
      to: ['sip:anonymous@anonymous.invalid'],
    });
    expect(message['dateTime']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const [sent] = await b.waitFor('stdout', /^\{"event":"sent".*\}$/m);
    const id = (JSON.parse(sent) as { messageId: string }).messageId;
    expect(message['imdnMessageId']).toBe(id);
    for (const kind of ['delivered', 'displayed']) {
      const [event] = await b.waitFor('stdout', new RegExp(`^\\{"event":"${kind}".*\\}$`, 'm'));
      expect(JSON.parse(event)).toEqual({ event: kind, messageId: id, text: 'typing done' });
    }
  });

  it('--plain sends bare text to a peer that takes only text/plain; CPIM is refused there', async ({
    expect,
    onTestFinished,
  }) => {
    const listener = start(onTestFinished, [
      'listen',
      '--uri',
      LISTEN_URI,
      '--accept-types',
      'text/plain',
    ]);
    const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/);
    const plain = start(onTestFinished, ['chat', '--to', uri!, '--plain']);
    await plain.waitFor('stderr', /connected to /);
    plain.child.stdin!.write('just');
    plain.child.stdin!.write(' text\n');
    await listener.waitFor('stdout', /^just text$/m);
    plain.child.stdin!.end();
    expect(await plain.exited).toEqual({ code: 0, signal: null });
    expect(plain.stderr).not.toMatch(/not delivered|error/);
    await listener.waitFor('stderr', /disconnected/);

    // Without --plain the line goes in CPIM, which this peer refuses (RFC 4975 §7.3: 415).
    const cpim = start(onTestFinished, ['chat', '--to', uri!]);
    await cpim.waitFor('stderr', /connected to /);
    cpim.child.stdin!.write('wrapped\n');
    await cpim.waitFor('stderr', /not delivered: .*415/);
    // A script piping lines in learns that one was refused.
    cpim.child.stdin!.end();
    expect(await cpim.exited).toEqual({ code: 1, signal: null });
  });

  it('refuses files, so that their sender is not told they were delivered; chat goes on', async ({
    expect,
    onTestFinished,
  }) => {
    const dir = await tempDir(onTestFinished, 'msrp-chat-file-');
    await writeFile(join(dir, 'photo.jpg'), randomBytes(100_000));
    await writeFile(join(dir, 'notes.txt'), 'a text file, not a chat line\n');
    const chat = start(onTestFinished, ['chat', '--listen', '--uri', LISTEN_URI]);
    const [, uri] = await chat.waitFor('stdout', /^listening (\S+)\n/);
    const send = async (...args: string[]): Promise<{ code: number | null; stderr: string }> => {
      const sender = start(onTestFinished, ['send', '--to', uri!, ...args]);
      return { ...(await sender.exited), stderr: sender.stderr };
    };
    // RFC 4975 §7.3: a type a chat does not read gets 415.
    const photo = await send('--file', join(dir, 'photo.jpg'));
    expect(photo.code).toBe(1);
    expect(photo.stderr).toMatch(/delivery failed: 415 /);
    // A text file is read by nobody: its chunk gets 413 rather than a 200 for bytes dropped.
    const notes = await send('--file', join(dir, 'notes.txt'));
    expect(notes.code).toBe(1);
    expect(notes.stderr).toMatch(/delivery failed: 413 /);
    await chat.waitFor('stderr', /^msrp chat: refused the file notes\.txt: /m);
    expect(chat.stdout).not.toContain('text file');
    const line = await send('--text', 'a line');
    expect(line.code, line.stderr).toBe(0);
    await chat.waitFor('stdout', /^< a line$/m);
  });
});
