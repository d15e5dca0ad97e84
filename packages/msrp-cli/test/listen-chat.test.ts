// `msrp listen` as a chat peer: CPIM chat printed as text, its IMDN requests answered, CPIM
// metadata in --json, and --accept-wrapped-types enforced with 415 (RFC 4975 §8.6).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createCpim, Endpoint, formatCpim, parseUri } from '@msrp-ts/msrp-core';
import { start } from './cli-process.js';

const LISTEN_URI = 'msrp://127.0.0.1:0/inbox;tcp';

// Where the listeners would store files: none is expected, none may land in the repository.
let out: string;
beforeAll(async () => void (out = await mkdtemp(join(tmpdir(), 'msrp-listen-chat-'))));
afterAll(() => rm(out, { recursive: true, force: true }));

describe('msrp listen as a chat peer', () => {
  it('--json reports the CPIM metadata; a pipe gets delivered (✓) answered, not displayed', async ({
    expect,
    onTestFinished,
  }) => {
    const listener = start(onTestFinished, ['listen', '--uri', LISTEN_URI, '--out', out, '--json']);
    const [, uri] = await listener.waitFor('stdout', /^\{"event":"listening","uri":"([^"]+)"/);
    const chat = start(onTestFinished, ['chat', '--to', uri!, '--json']);
    chat.child.stdin!.write('first line\n');
    const [line] = await listener.waitFor('stdout', /^\{"event":"message".*\}$/m);
    const message = JSON.parse(line) as Record<string, unknown>;
    const [sent] = await chat.waitFor('stdout', /^\{"event":"sent".*\}$/m);
    const { messageId } = JSON.parse(sent) as { messageId: string };
    expect(message).toMatchObject({
      event: 'message',
      contentType: 'text/plain',
      text: 'first line',
      cpim: true,
      from: 'sip:anonymous@anonymous.invalid',
      to: ['sip:anonymous@anonymous.invalid'],
      imdnMessageId: messageId,
      notified: ['delivered'],
    });
    expect(message['dateTime']).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    await chat.waitFor(
      'stdout',
      new RegExp(`^\\{"event":"delivered","messageId":"${messageId}"`, 'm'),
    );
    // A second line's ✓ comes after any ✓✓ of the first would have: there was none.
    chat.child.stdin!.write('second line\n');
    await chat.waitFor('stdout', /^\{"event":"delivered".*"text":"second line"\}$/m);
    expect(chat.stdout).not.toContain('"displayed"');
    expect(chat.stderr).toBe('');
  });

  it('prints CPIM text as chat and answers 415 to a CPIM wrapping a type outside --accept-wrapped-types', async ({
    expect,
    onTestFinished,
  }) => {
    const listener = start(onTestFinished, [
      'listen',
      '--uri',
      LISTEN_URI,
      '--out',
      out,
      '--accept-wrapped-types',
      'text/plain,application/im-iscomposing+xml',
    ]);
    const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/);
    const endpoint = new Endpoint();
    onTestFinished(() => endpoint.close());
    const session = endpoint.createSession();
    await session.connect([parseUri(uri!)]);
    const cpim = (contentType: string, body: string): Uint8Array =>
      formatCpim(createCpim({ from: 'sip:alice@example.com', contentType, body }));

    const html = session.send(cpim('text/html', '<b>bold</b>'), { contentType: 'message/cpim' });
    await expect(html).rejects.toMatchObject({ status: 415 });
    await session.send(cpim('text/plain', 'plain words'), { contentType: 'message/cpim' });
    await listener.waitFor('stdout', /^plain words$/m);
    expect(listener.stdout).toBe(`listening ${uri}\nplain words\n`);
  });

  it('rejects a malformed --accept-wrapped-types as a usage error', async ({
    expect,
    onTestFinished,
  }) => {
    const cli = start(onTestFinished, [
      'listen',
      '--uri',
      LISTEN_URI,
      '--out',
      out,
      '--accept-wrapped-types',
      'html',
    ]);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr).toContain('--accept-wrapped-types: expected type/subtype');
  });
});
