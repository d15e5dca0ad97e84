// The packages as shipped: built, packed with pnpm, installed with npm into a project outside
// the workspace, then type-checked and run there with plain Node, so that what we would
// publish works, not only what the workspace resolves (its "source" condition, its links).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createOffer } from '@msrp-ts/sdp-msrp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const PACKAGES = ['msrp-core', 'sdp-msrp', 'msrp-relay', 'msrp-cli'] as const;
/** The packages with a library API (and a runnable example in their README). */
const LIBRARIES = ['msrp-core', 'sdp-msrp', 'msrp-relay'] as const;
const MINUTE = 60_000;

/** Runs a command; rejects with its stderr in the message when it fails. */
async function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, {
    cwd,
    env: childEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Our environment without the npm_* variables that npx and `pnpm test` set for the
 * workspace's scripts (its package.json, its pnpm settings), so that npm and pnpm act in the
 * temporary project as from a fresh shell; those that say how to reach a registry (a mirror,
 * a proxy, a CA) are kept.
 */
function childEnv(): NodeJS.ProcessEnv {
  const reach =
    /^npm_config_(registry|.+:registry|proxy|https?_proxy|no_?proxy|cafile|ca|strict_ssl|userconfig|globalconfig|cache)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) || reach.test(name)),
  );
}

/** The ```ts blocks of a markdown text that follow a `<!-- marker... -->` comment. */
function examplesIn(markdown: string, marker: string): string[] {
  const pattern = new RegExp(`<!-- ${marker}[^>]*-->\\n\\n\`\`\`ts\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...markdown.matchAll(pattern)].map((m) => m[1]!);
}

/** `.tgz` files left in a folder. */
async function tarballsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.tgz'));
}

let work: string;
let tarballs: Map<(typeof PACKAGES)[number], string>;
let project: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'msrp-pack-'));
  const packed = join(work, 'tarballs');
  project = join(work, 'project');
  await mkdir(project);
  await run('npx', ['-y', 'pnpm@10', '-r', 'pack', '--pack-destination', packed], root);
  // pnpm names them msrp-ts-<name>-<version>.tgz.
  const names = await tarballsIn(packed);
  tarballs = new Map(
    PACKAGES.map((name) => {
      const file = names.find((f) => f.startsWith(`msrp-ts-${name}-`));
      if (!file) throw new Error(`pnpm pack made no tarball for ${name}: ${names.join(', ')}`);
      return [name, join(packed, file)] as const;
    }),
  );
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  // All four at once: the others need msrp-core (and msrp-cli sdp-msrp), which are on no registry.
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.values()],
    project,
  );
}, 5 * MINUTE);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('packed packages', () => {
  it('hold dist/ with .d.ts for every export, the bins, the README, and no workspace: ranges', async () => {
    for (const [name, tarball] of tarballs) {
      const files = new Set(
        (await run('tar', ['-tzf', tarball], work)).split('\n').filter((f) => f !== ''),
      );
      const manifest = JSON.parse(
        await run('tar', ['-xzOf', tarball, 'package/package.json'], work),
      ) as {
        dependencies?: Record<string, string>;
        bin?: Record<string, string>;
        exports?: Record<string, { types: string; node?: string; import: string }>;
      };
      expect(files, name).toContain('package/README.md');
      expect(
        [...files].filter((f) => f.startsWith('package/test/')),
        name,
      ).toEqual([]);
      for (const entry of Object.values(manifest.exports ?? {})) {
        expect(entry.types, name).toMatch(/\.d\.ts$/);
        expect(files, name).toContain(join('package', entry.types));
        expect(files, name).toContain(join('package', entry.import));
        // Node's entry: the bundle of scripts/bundle.js (`pnpm build`).
        if (entry.node) expect(files, name).toContain(join('package', entry.node));
      }
      for (const bin of Object.values(manifest.bin ?? {})) {
        expect(files, name).toContain(join('package', bin));
        const text = await run('tar', ['-xzOf', tarball, join('package', bin)], work);
        // node, or node with flags (`env -S`; npm's and pnpm's shims copy them).
        expect(text, `${name} ${bin}`).toMatch(/^#!\/usr\/bin\/env (-S )?node( --[^\n]+)?\n/);
      }
      // pnpm pack writes the version in place of workspace:*, or npm could not install it.
      for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
        expect(range, `${name} → ${dependency}`).not.toMatch(/^workspace:/);
      }
    }
    // The `msrp` command is its own package; the core library ships no command.
    const cli = await run('tar', ['-tzf', tarballs.get('msrp-cli')!], work);
    expect(cli).toContain('package/dist/msrp.js');
    expect(cli).toContain('package/dist/msrp.bundle.js');
    // (Not checked: dist/cli/ of msrp-core, which tsc -b leaves behind in a clone built before
    // the move; `rm -rf packages/msrp-core/dist/cli` there.)
    const core = await run('tar', ['-tzf', tarballs.get('msrp-core')!], work);
    expect(core).not.toContain('package/bin/');
    const coreManifest = JSON.parse(
      await run('tar', ['-xzOf', tarballs.get('msrp-core')!, 'package/package.json'], work),
    ) as { bin?: unknown; dependencies?: Record<string, string> };
    expect(coreManifest.bin).toBeUndefined();
    // Plumbing for the relay is a subpath of its own, shipped like the root entry.
    const coreExports = JSON.parse(
      await run('tar', ['-xzOf', tarballs.get('msrp-core')!, 'package/package.json'], work),
    ) as { exports: Record<string, unknown> };
    expect(Object.keys(coreExports.exports)).toEqual(['.', './browser', './uri', './internal']);
    expect(core).toContain('package/dist/browser.js');
    expect(core).toContain('package/dist/browser.d.ts');
    expect(core).toContain('package/dist/internal.js');
    expect(core).toContain('package/dist/internal.d.ts');
    const relay = await run('tar', ['-tzf', tarballs.get('msrp-relay')!], work);
    expect(relay).toContain('package/dist/cli/msrp-relay.js');
    expect(relay).toContain('package/dist/bundle/msrp-relay.js');
    // Packing went to the temporary folder, never into the repository.
    for (const dir of [root, ...PACKAGES.map((name) => join(root, 'packages', name))]) {
      expect(await tarballsIn(dir), dir).toEqual([]);
    }
  });

  it(
    'type-check in a TypeScript project outside the workspace, and the README examples run there',
    async () => {
      const src = join(project, 'src');
      await mkdir(src);
      const examples = new Map<string, string>();
      const readme = await readFile(join(root, 'README.md'), 'utf8');
      for (const m of readme.matchAll(
        /<!-- example: examples\/(\S+) -->\n\n```ts\n([\s\S]*?)```/g,
      )) {
        examples.set(m[1]!, m[2]!);
      }
      expect([...examples.keys()]).toEqual([
        'codec.ts',
        'session.ts',
        'send-many.ts',
        'resume.ts',
        'chat.ts',
        'sdp.ts',
      ]);
      // Each package's own README, as installed from its tarball.
      for (const name of LIBRARIES) {
        const installed = join(project, 'node_modules/@msrp-ts', name, 'README.md');
        const blocks = examplesIn(await readFile(installed, 'utf8'), 'runnable:');
        expect(blocks, name).toHaveLength(1);
        examples.set(`${name}.ts`, blocks[0]!);
      }
      for (const [file, code] of examples) await writeFile(join(src, file), code);
      // The types are the packages' own: wrong option types must be errors, not `any`.
      await writeFile(
        join(src, 'types.ts'),
        [
          "import { Endpoint, type SessionOptions } from '@msrp-ts/msrp-core';",
          "import { createOffer } from '@msrp-ts/sdp-msrp';",
          "import { Relay, type RelayLimits } from '@msrp-ts/msrp-relay';",
          "const session: SessionOptions = { chunkSize: 1024, acceptTypes: ['text/plain'] };",
          'export const endpoint = new Endpoint({ session });',
          '// @ts-expect-error chunkSize is a number',
          "export const wrong = new Endpoint({ session: { chunkSize: 'big' } });",
          '// @ts-expect-error acceptTypes is required',
          "export const offer = createOffer({ localUri: 'msrp://192.0.2.1:2855/s;tcp' });",
          'const limits: RelayLimits = { maxChunkSize: 1024 };',
          '// @ts-expect-error credentials is required',
          'export const relay = new Relay({ limits });',
          // The root entries hold what applications use; plumbing is in msrp-core/internal.
          "import { TransactionTable } from '@msrp-ts/msrp-core/internal';",
          'export const table: typeof TransactionTable = TransactionTable;',
          '// @ts-expect-error plumbing is not in the root entry',
          "export { TransactionTable as RootTable } from '@msrp-ts/msrp-core';",
          '// @ts-expect-error the relay keeps its chunk scheduler to itself',
          "export { ChunkScheduler } from '@msrp-ts/msrp-relay';",
          // The browser entry: an Endpoint that dials what it is given and never listens.
          "import { Endpoint as PageEndpoint, nobleHasher } from '@msrp-ts/msrp-core/browser';",
          'export const page = new PageEndpoint({ createHasher: nobleHasher });',
          '// @ts-expect-error listening needs Node',
          'export const listen = page.listen;',
          // Members tagged @internal are stripped from the published types.
          '// @ts-expect-error Relay.idle() is @internal',
          'export const idle = relay.idle;',
          '',
        ].join('\n'),
      );
      await writeFile(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2023',
            lib: ['ES2023'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noUncheckedIndexedAccess: true,
            // Node's types from the workspace; the packages' types from node_modules.
            types: ['node'],
            typeRoots: [join(root, 'node_modules/@types')],
            rootDir: 'src',
            outDir: 'out',
          },
          include: ['src'],
        }),
      );
      // Compiles, with the .d.ts files checked too (no skipLibCheck).
      await run(process.execPath, [tsc, '-p', '.'], project);

      const node = async (file: string): Promise<string> =>
        run(process.execPath, [join('out', file)], project);
      expect(await node('codec.js')).toMatch(
        /^request [0-9a-f]{24} kjhd37s2s20w2a\nbody Hello\nend \$\n$/,
      );
      expect(await node('send-many.js')).toBe(
        'alice sent 10000 messages, 118890 bytes\nbob got the last: reading 9999\n',
      );
      expect(await node('session.js')).toBe(
        'bob got: Hello Bob!\nsent 100000 bytes\nbob saved: notes.txt 100000 bytes, hash matches: true\n',
      );
      // A file cut after 2 MiB and resumed in-session: the same bytes, the hash checked.
      expect(await node('resume.js')).toMatch(
        /alice: cut after \d+ bytes confirmed[^]*matches: true\nbob has the same bytes: true\n$/,
      );
      expect(await node('chat.js')).toMatch(
        /^bob sees: alice is typing…\nalice sent: ([0-9a-f]{8})\nbob got: Hello Bob!\nalice sees: \1 ✓\nalice sees: \1 ✓✓\n$/,
      );
      expect(await node('sdp.js')).toBe(
        'agreed: text/plain; connects: answerer\nalice got: Hello Alice, as negotiated!\n',
      );
      expect(await node('msrp-core.js')).toBe('confirmed: 10 bytes\nbob got: Hello Bob!\n');
      expect(await node('sdp-msrp.js')).toBe(
        'types: text/plain message/cpim; connects: offerer\n' +
          'alice connects: true, to msrp://192.0.2.2:2855/bob1;tcp\n' +
          'bob may send up to 1000000 bytes\n',
      );
      expect(await node('msrp-relay.js')).toBe(
        'bob got: Hello through the relay\nrelay sessions: 2\n',
      );
    },
    2 * MINUTE,
  );

  it(
    'match the committed API reports (packages/*/etc/*.api.md; `pnpm api` updates them)',
    async () => {
      // beforeAll built dist/, which the reports are made from; --check writes nothing.
      const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
      await expect(
        run(process.execPath, [tsx, 'scripts/api-report.ts', '--check'], root),
      ).resolves.toBe('');
    },
    MINUTE,
  );

  it(
    'install the msrp and msrp-relay commands, and msrp sdp finds sdp-msrp',
    async () => {
      const bin = (name: string): string => join(project, 'node_modules/.bin', name);
      expect(await run(bin('msrp'), ['--help'], project)).toMatch(/^Usage: msrp <command>/);
      expect(await run(bin('msrp-relay'), ['--help'], project)).toMatch(/^Usage: msrp-relay /);
      const offer = join(work, 'offer.sdp');
      await writeFile(
        offer,
        createOffer({ localUri: 'msrp://192.0.2.1:2855/alice1;tcp', acceptTypes: ['text/plain'] }),
      );
      // msrp-cli depends on sdp-msrp: installing the command brings `msrp sdp` along.
      const answer = await run(
        bin('msrp'),
        ['sdp', 'answer', '--uri', 'msrp://192.0.2.2:2855/bob1;tcp', offer],
        project,
      );
      expect(answer).toMatch(/^m=message 2855 TCP\/MSRP \*\r$/m);
      expect(answer).toContain('a=path:msrp://192.0.2.2:2855/bob1;tcp\r\n');
    },
    MINUTE,
  );
});
