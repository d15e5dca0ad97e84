// `msrp sdp`: the msrp command (msrp-cli) over @msrp-ts/sdp-msrp. Each test spawns the real
// CLI through tsx on the TypeScript sources.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOffer, negotiate } from '@msrp-ts/sdp-msrp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msrp } from './helpers/msrp-cli.js';

const OFFER = createOffer({
  localUri: 'msrp://192.0.2.1:7654/alice1;tcp',
  acceptTypes: ['message/cpim', 'text/plain'],
  wrappedTypes: ['*'],
  sessionId: '42',
  cema: true,
});
const INVITE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Call-ID: cli-test',
  'c: application/sdp',
  `l: ${Buffer.byteLength(OFFER)}`,
  '',
  OFFER,
].join('\r\n');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-sdp-cli-'));
  await writeFile(join(dir, 'invite.txt'), INVITE);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.concurrent('msrp sdp', { timeout: 60_000 }, () => {
  it('inspect prints the MSRP media of a SIP INVITE file as JSON', async () => {
    const result = await msrp(['sdp', 'inspect', join(dir, 'invite.txt')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { media } = JSON.parse(result.stdout) as { media: Array<Record<string, unknown>> };
    expect(media).toHaveLength(1);
    expect(media[0]).toMatchObject({
      index: 0,
      port: 7654,
      proto: 'TCP/MSRP',
      path: ['msrp://192.0.2.1:7654/alice1;tcp'],
      acceptTypes: ['message/cpim', 'text/plain'],
      wrappedTypes: ['*'],
      setup: 'actpass',
      connectionMode: 'new',
      cema: true,
      direction: 'sendrecv',
    });
  });

  it('answer reads bare SDP from stdin and prints an answer that negotiates', async () => {
    const result = await msrp(
      [
        'sdp',
        'answer',
        '--uri',
        'msrp://192.0.2.2:8000/bob1;tcp',
        '--accept-types',
        'text/*, message/cpim',
        '--wrapped-types',
        'text/plain',
        '--setup',
        'active',
        '--cema',
        '--max-size',
        '64k',
        '-',
      ],
      OFFER,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('a=accept-types:message/cpim text/plain\r\n');
    expect(result.stdout).toContain('a=max-size:65536\r\n');
    const n = negotiate(OFFER, result.stdout);
    expect(n).toMatchObject({
      accepted: true,
      active: 'answerer',
      cema: true,
      wrappedTypes: ['text/plain'],
    });
  });

  it('answer rejects what cannot be agreed: the answer on stdout, the reason on stderr, exit 1', async () => {
    const result = await msrp([
      'sdp',
      'answer',
      '--uri',
      'msrp://192.0.2.2:8000/bob1;tcp',
      '--accept-types',
      'image/png',
      join(dir, 'invite.txt'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('m=message 0 TCP/MSRP *\r\n');
    expect(result.stderr).toBe(
      'msrp sdp: stream rejected: no common accept-types: the offer has message/cpim text/plain, we accept image/png\n',
    );
  });

  it('errors go to stderr as one line with a non-zero exit', async () => {
    const [noSdp, badSdp, noUri, badFlag, missing, noAction] = await Promise.all([
      msrp(['sdp', 'inspect'], 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'),
      msrp(
        ['sdp', 'inspect', '-'],
        'v=0\r\nm=message 7 TCP/MSRP *\r\na=accept-types:text/plain\r\n',
      ),
      msrp(['sdp', 'answer', join(dir, 'invite.txt')]),
      msrp(['sdp', 'inspect', '--uri', 'x']),
      msrp(['sdp', 'inspect', join(dir, 'nope.txt')]),
      msrp(['sdp']),
    ]);
    expect(noSdp).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'msrp sdp: SIP message "SIP/2.0 200 OK" has no body\n',
    });
    expect(badSdp).toMatchObject({
      code: 1,
      stderr: 'msrp sdp: line 2 (m=message 7 TCP/MSRP *): MSRP media without a=path\n',
    });
    expect(noUri).toMatchObject({
      code: 2,
      stderr: 'msrp sdp: --uri is required (see msrp sdp --help)\n',
    });
    expect(badFlag).toMatchObject({
      code: 2,
      stderr: 'msrp sdp: --uri is for msrp sdp answer (see msrp sdp --help)\n',
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^msrp sdp: cannot read .*nope\.txt: ENOENT/);
    expect(noAction).toMatchObject({
      code: 2,
      stderr: 'msrp sdp: expected "inspect", "answer" or "resume" (see msrp sdp --help)\n',
    });
  });

  it('--help of sdp lists the actions and flags; msrp --help lists sdp', async () => {
    const [help, top] = await Promise.all([msrp(['sdp', '--help']), msrp(['--help'])]);
    expect(help.code).toBe(0);
    for (const text of [
      'inspect',
      'answer',
      '--uri',
      '--accept-types',
      '--wrapped-types',
      '--max-size',
      '--setup',
      '--cema',
      '--fingerprint',
      'Exit codes:',
    ]) {
      expect(help.stdout).toContain(text);
    }
    expect(top.stdout).toContain('  sdp ');
  });
});
