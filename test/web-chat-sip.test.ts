// Issue 10: the README's SIP.js example (examples/sipjs-msrp.ts) does what SIP.js would make it
// do in a call: the caller's handler gives the INVITE's offer, the callee's takes it and gives
// the 200 OK's answer, the caller's takes that; then the MSRP session works.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { Endpoint, formatUri } from '@msrp-ts/msrp-core';
import { MsrpDescriptionHandler } from '../examples/sipjs-msrp.js';

describe('the SIP.js session description handler of the README', () => {
  it('offers, answers and connects the MSRP session as SIP.js drives it', async () => {
    await using alice = new Endpoint();
    await using bob = new Endpoint();
    // Written for the browser's Endpoint, the handler takes the Node one (the same API) here.
    await alice.listen({ host: '127.0.0.1', port: 0 });
    await bob.listen({ host: '127.0.0.1', port: 0 });
    const caller = new MsrpDescriptionHandler(alice);
    const callee = new MsrpDescriptionHandler(bob);

    const offer = await caller.getDescription(); // the INVITE's body
    expect(offer.contentType).toBe('application/sdp');
    expect(offer.body).toContain(`a=path:${formatUri(caller.session.localUri)}`);
    expect(callee.hasDescription('application/sdp')).toBe(true);
    await callee.setDescription(offer.body);
    const answer = await callee.getDescription(); // the 200 OK's body
    expect(answer.body).toContain(`a=path:${formatUri(callee.session.localUri)}`);
    await caller.setDescription(answer.body);

    // RFC 4975: the offerer connects by default; the answerer waits for its first SEND.
    expect(caller.session.state).toBe('bound');
    const inbox = callee.session[Symbol.asyncIterator]();
    await caller.session.send('Hello over SIP.js');
    expect((await inbox.next()).value?.text()).toBe('Hello over SIP.js');
    await callee.session.send('Hello back');
    expect((await caller.session[Symbol.asyncIterator]().next()).value?.text()).toBe('Hello back');
    caller.close();
    callee.close();
    expect(caller.session.state).toBe('closed');
  });
});

describe('the SIP.js example in a web page', () => {
  it('is shown in the README verbatim (after its first comment line)', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const block =
      /<!-- example \(checked by test\/web-chat-sip\.test\.ts\): examples\/sipjs-msrp\.ts -->\n\n```ts\n([\s\S]*?)```/.exec(
        readme,
      )?.[1];
    const source = await readFile(new URL('../examples/sipjs-msrp.ts', import.meta.url), 'utf8');
    expect(block).toBe(source.slice(source.indexOf('\n') + 1));
  });

  it('bundles for the browser, sdp-msrp included, with nothing of Node in it', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../examples/sipjs-msrp.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      conditions: ['source'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('sdp-msrp/src/create-offer.ts'))).toBe(true);
    expect(inputs.filter((input) => /^node:|msrp-core\/src\/node\//.test(input))).toEqual([]);
  }, 30_000);
});
