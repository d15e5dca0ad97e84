// Two `msrp chat` processes through an RFC 4976 relay show each other's typing and ✓/✓✓:
// the CPIM notifications and is-composing cross the relay like any other message; a listener
// talks to the next peer that comes through the same relay connection.
import { describe, it } from 'vitest';
import { start } from '../packages/msrp-cli/test/cli-process.js';
import { cliRelay } from './helpers/cli-relay.js';

describe('msrp chat --relay', () => {
  it('shows typing and ✓ then ✓✓ through the relay, then talks to the next peer', async ({
    expect,
    onTestFinished,
  }) => {
    const { account } = await cliRelay(onTestFinished);
    const bob = start(onTestFinished, ['chat', '--listen', ...account('bob'), '--mark-displayed']);
    const [, path] = await bob.waitFor('stdout', /^listening (.+)\n/);
    expect(path!.split(' ')).toHaveLength(2);
    const alice = start(onTestFinished, [
      'chat',
      '--to',
      path!,
      ...account('alice'),
      '--mark-displayed',
    ]);
    await bob.waitFor('stderr', /connected: /);

    alice.child.stdin!.write('hello');
    await bob.waitFor('stderr', /^msrp chat: the peer is typing…$/m);
    alice.child.stdin!.write(' bob\n');
    await bob.waitFor('stdout', /^< hello bob$/m);
    await alice.waitFor('stderr', /^msrp chat: ✓ delivered: hello bob$/m);
    await alice.waitFor('stderr', /^msrp chat: ✓✓ read: hello bob$/m);

    bob.child.stdin!.write('hi');
    await alice.waitFor('stderr', /^msrp chat: the peer is typing…$/m);
    bob.child.stdin!.write(' alice\n');
    await alice.waitFor('stdout', /^< hi alice$/m);
    await bob.waitFor('stderr', /^msrp chat: ✓ delivered: hi alice$/m);
    await bob.waitFor('stderr', /^msrp chat: ✓✓ read: hi alice$/m);

    alice.child.stdin!.end();
    expect(await alice.exited).toEqual({ code: 0, signal: null });

    // A second peer comes through the same relay connection of bob's: bob now talks to it.
    const carol = start(onTestFinished, ['chat', '--to', path!, ...account('alice'), '--plain']);
    carol.child.stdin!.write('it is me now\n');
    await bob.waitFor('stdout', /^< it is me now$/m);
    bob.child.stdin!.write('hello again\n');
    await carol.waitFor('stdout', /^< hello again$/m);
    carol.child.stdin!.end();
    expect(await carol.exited).toEqual({ code: 0, signal: null });
  });
});
