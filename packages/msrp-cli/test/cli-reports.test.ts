// `msrp send` and success/failure REPORTs (RFC 4975 §7.1.2): the wait for a success REPORT is
// bounded by --timeout, and a failure REPORT that arrives after the 200s still fails the send.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { formatUri } from '@msrp-ts/msrp-core';
import { isRequest, RawServer, type RawRequest } from '../../msrp-core/test/helpers/raw-peer.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const servers: RawServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function msrp(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      ['--conditions=source', 'packages/msrp-cli/src/msrp.ts', ...args],
      { cwd: root },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

/** A peer that answers every SEND with 200 and never sends a REPORT. */
async function silentPeer(): Promise<string> {
  const server = await RawServer.listen({ autoRespond: true });
  servers.push(server);
  return formatUri(server.uri());
}

describe('msrp send and REPORTs', () => {
  it('gives up waiting for the success REPORT after --timeout: exit 4', async () => {
    const to = await silentPeer();
    const sent = await msrp([
      'send',
      '--to',
      to,
      '--text',
      'hello',
      '--report',
      '--timeout',
      '500',
    ]);
    expect(sent.code).toBe(4);
    expect(sent.stderr).toMatch(/no success REPORT in time/);
    expect(sent.stdout).not.toMatch(/delivered/);
  });

  it('fails (exit 1) when a failure REPORT follows the 200s before it exits', async () => {
    // The REPORT comes after the message's 200, when the send has resolved: what a relay
    // further on sends when the next hop refused the chunk it had taken. This peer sends it
    // just before it answers the next request (the bodiless SEND msrp send ends with).
    let message: RawRequest | undefined;
    const server = await RawServer.listen({
      onFrame: (frame, raw) => {
        if (!isRequest(frame) || frame.head.method !== 'SEND') return;
        if (message && frame.body.length === 0) {
          raw.writeFrame(
            raw.requestHead({
              method: 'REPORT',
              toPath: message.head.fromPath,
              fromPath: [message.head.toPath[0]!],
              messageId: message.head.messageId!,
              byteRange: message.head.byteRange!,
              status: { namespace: '000', code: 481, reason: 'Session Does Not Exist' },
            }),
          );
        }
        if (frame.body.length > 0) message = frame;
        raw.respond(frame);
      },
    });
    servers.push(server);
    const sent = await msrp(['send', '--to', formatUri(server.uri()), '--text', 'hello']);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toMatch(/Failure REPORT 481 Session Does Not Exist/);
    expect(sent.stdout).not.toMatch(/delivered/);
  });
});
