// The README's relay commands, run as a person would paste them into shells: the relay on its
// fixed port (2855 when free), Bob listening behind it, Alice sending a line and a file.
// Neither client listens on its own, so their URIs must never be taken for the relay's.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const started: ChildProcess[] = [];

/** Whether any process of the group led by `pid` is still alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  for (const child of started.reverse()) {
    // Each command runs in a process group of its own (npx, pnpm, node): end the whole group,
    // also when its shell is gone already (the relay under it may still run), and kill what
    // is left after 10 s: a test never leaves a process behind.
    const group = child.pid!;
    if (!groupAlive(group)) continue;
    process.kill(-group, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (groupAlive(group) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    if (groupAlive(group)) process.kill(-group, 'SIGKILL');
  }
});

/** The commands of the README's relay block, continuation lines joined, comments dropped. */
async function relayCommands(): Promise<string[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## The relay\n'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function shell(command: string, cwd: string): ChildProcess {
  const child = spawn('bash', ['-c', command], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  return child;
}

async function run(command: string, cwd: string): Promise<{ code: number; stdout: string }> {
  const child = shell(command, cwd);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`${command}\nexited ${code}: ${stderr}`);
  return { code, stdout };
}

/** Resolves with the first line of `stream` that matches. */
async function lineMatching(
  stream: NodeJS.ReadableStream,
  pattern: RegExp,
): Promise<RegExpExecArray> {
  for await (const line of createInterface({ input: stream })) {
    const match = pattern.exec(line);
    if (match) return match;
  }
  throw new Error(`the stream ended without a line matching ${pattern}`);
}

describe("the README's relay commands", () => {
  it('deliver a line and a file between two clients that do not listen', async () => {
    let [relay, listen, sendText, sendFile] = await relayCommands();
    expect(relay).toMatch(/^npx -y pnpm@10 msrp-relay --listen 'msrp:\/\/127\.0\.0\.1:2855;tcp'/);
    expect(listen).toMatch(/ msrp listen --relay /);
    expect(sendText).toMatch(/ msrp send --relay .* --to '[^']+' --text '[^']+'$/);
    expect(sendFile).toMatch(/ msrp send --relay .* --to '[^']+' --file \.\/photo\.jpg$/);
    // The README's fixed ports, as written when they are free here (they are on CI).
    for (const fixed of [2855, 9090]) {
      if (await portFree(fixed)) continue;
      const port = await freePort();
      const swap = (command: string): string => command.replaceAll(`:${fixed}`, `:${port}`);
      [relay, listen, sendText, sendFile] = [relay!, listen!, sendText!, sendFile!].map(swap);
    }

    // A directory of the user's inside the clone: pnpm finds the workspace from there, and the
    // commands' relative paths (./in, ./photo.jpg) resolve against it.
    const cwd = await mkdtemp(join(root, '.readme-relay-'));
    try {
      const relayProcess = shell(relay!, cwd);
      await lineMatching(relayProcess.stdout!, /^listening msrp:/);

      const bob = shell(listen!, cwd);
      // What Bob prints, without pnpm's own lines ("> msrp-ts@ msrp ..." and blank ones).
      const bobLines = (async function* () {
        for await (const line of createInterface({ input: bob.stdout! }))
          if (line !== '' && !line.startsWith('> ')) yield line;
      })();
      const first = (await bobLines.next()).value as string;
      const path = /^listening (\S+ \S+)$/.exec(first)![1]!;
      const [relayUri, bobUri] = path.split(' ');
      expect(relayUri).toMatch(/^msrp:\/\/127\.0\.0\.1:\d+\/\w+;tcp$/);
      expect(bobUri).toMatch(/^msrp:\/\/[0-9a-f]+\.invalid:2855\/\w+;tcp$/);
      const to = (command: string): string => command.replace(/--to '[^']+'/, `--to '${path}'`);

      const text = await run(to(sendText!), cwd);
      expect(text.stdout).toMatch(/^delivered message: 9 bytes .*success report 200/m);
      expect((await bobLines.next()).value).toBe('Hello Bob');

      const photo = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < photo.length; i++) photo[i] = (i * 31 + (i >> 11)) & 0xff;
      await writeFile(join(cwd, 'photo.jpg'), photo);
      const file = await run(to(sendFile!), cwd);
      expect(file.stdout).toMatch(/^delivered photo\.jpg: 3145745 bytes .*success report 200/m);
      expect((await bobLines.next()).value).toMatch(
        /^saved .*photo\.jpg \(3145745 bytes, .*hash matched\)/,
      );
      const received = await readFile(join(cwd, 'in', 'photo.jpg'));
      const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
      expect(sha256(received)).toBe(sha256(photo));
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});
