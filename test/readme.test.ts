import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const run = promisify(execFile);
const tsx = new URL('node_modules/.bin/tsx', root).pathname;

async function readmeExamples(): Promise<Map<string, string>> {
  const readme = await readFile(new URL('README.md', root), 'utf8');
  const blocks = new Map<string, string>();
  for (const m of readme.matchAll(/<!-- example: (\S+) -->\n\n```ts\n([\s\S]*?)```/g)) {
    blocks.set(m[1]!, m[2]!);
  }
  return blocks;
}

describe('README examples', () => {
  it('shows each example file verbatim (after its first comment line)', async () => {
    const blocks = await readmeExamples();
    expect([...blocks.keys()]).toEqual([
      'examples/codec.ts',
      'examples/session.ts',
      'examples/send-many.ts',
      'examples/resume.ts',
      'examples/chat.ts',
      'examples/sdp.ts',
    ]);
    for (const [file, block] of blocks) {
      const source = await readFile(new URL(file, root), 'utf8');
      expect(source.slice(source.indexOf('\n') + 1)).toBe(block);
    }
  });

  it('runs examples/codec.ts', async () => {
    const { stdout } = await run(tsx, ['--conditions=source', 'examples/codec.ts'], {
      cwd: root.pathname,
    });
    expect(stdout).toMatch(/^request [0-9a-f]{24} kjhd37s2s20w2a\nbody Hello\nend \$\n$/);
  });

  it('runs examples/session.ts', async () => {
    const { stdout } = await run(tsx, ['--conditions=source', 'examples/session.ts'], {
      cwd: root.pathname,
    });
    expect(stdout).toBe(
      'bob got: Hello Bob!\nsent 100000 bytes\nbob saved: notes.txt 100000 bytes, hash matches: true\n',
    );
  });

  it('runs examples/send-many.ts: every message arrives, in order', async () => {
    const { stdout } = await run(tsx, ['--conditions=source', 'examples/send-many.ts'], {
      cwd: root.pathname,
    });
    expect(stdout).toBe(
      'alice sent 10000 messages, 118890 bytes\nbob got the last: reading 9999\n',
    );
  });

  it('runs examples/resume.ts: cut after 2 MiB, only the rest sent, the whole hash matches', async () => {
    const { stdout } = await run(tsx, ['--conditions=source', 'examples/resume.ts'], {
      cwd: root.pathname,
    });
    const m = /alice: cut after (\d+) bytes confirmed; bob holds (\d+)\n/.exec(stdout);
    expect(m).not.toBeNull();
    // Nothing Alice saw confirmed is missing from Bob's part (confirmWhenRead).
    expect(Number(m![1])).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(Number(m![2])).toBeGreaterThanOrEqual(Number(m![1]));
    const hashes = [...stdout.matchAll(/(?:alice|bob): +(sha-256:[0-9A-F:]+)/g)].map((h) => h[1]);
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).toBe(hashes[1]);
    expect(stdout).toContain('matches: true\nbob has the same bytes: true\n');
  }, 60_000);

  it('runs examples/sdp.ts', async () => {
    const { stdout } = await run(tsx, ['--conditions=source', 'examples/sdp.ts'], {
      cwd: root.pathname,
    });
    expect(stdout).toBe(
      'agreed: text/plain; connects: answerer\nalice got: Hello Alice, as negotiated!\n',
    );
  });

  it('runs examples/chat.ts: typing, then ✓ and ✓✓ for the message sent', async () => {
    const { stdout } = await run(tsx, ['--conditions=source', 'examples/chat.ts'], {
      cwd: root.pathname,
    });
    expect(stdout).toMatch(
      /^bob sees: alice is typing…\nalice sent: ([0-9a-f]{8})\nbob got: Hello Bob!\nalice sees: \1 ✓\nalice sees: \1 ✓✓\n$/,
    );
  });
});
