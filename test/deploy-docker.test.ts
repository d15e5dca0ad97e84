// The Dockerfile at the repository root. This machine cannot pull images or run a docker
// daemon, and Debian has no hadolint: the rules we care about are checked here, and the
// image's steps are followed on this machine, read from the Dockerfile so that a change there
// is a change here: the relay packed from the workspace, installed production-only in a
// temporary directory laid out like the image, its ENTRYPOINT+CMD run (as an unprivileged
// user when the tests run as root) until its HEALTHCHECK passes, then its STOPSIGNAL.
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUri } from '@msrp-ts/msrp-core';
import {
  clientOf,
  next,
  onCleanup,
  sessionPair,
  USERS,
} from '../packages/msrp-relay/test/helpers.js';
import {
  binNodeFlags,
  DEPLOY,
  parseDockerfile,
  ROOT,
  start,
  type Instruction,
} from './helpers/deploy.js';

const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const final = stages.at(-1)!;
const MINUTE = 60_000;

/** The instructions of the final stage with `keyword`. */
function all(keyword: string): Instruction[] {
  return final.instructions.filter((i) => i.keyword === keyword);
}

describe('the Dockerfile', () => {
  it('builds in stages on a pinned Node 20 slim base, with COPY only (no ADD)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      // A release, not a moving tag (node:20-slim, latest): rebuilds get the same Node.
      expect(stage.image).toMatch(/^node:20\.\d+\.\d+-(bookworm-)?slim$/);
      expect(stage.instructions.map((i) => i.keyword)).not.toContain('ADD');
    }
    // The image holds what the production install made, nothing built or installed in it.
    expect(all('RUN')).toEqual([]);
    const install = stages
      .flatMap((s) => s.instructions)
      .find((i) => i.keyword === 'RUN' && /\bnpm install\b.*\.tgz/.test(i.text));
    expect(install?.text).toMatch(/--omit=dev/);
  });

  it('runs as a non-root user, exposes the ports, checks /health with node, stops on SIGTERM', () => {
    const keywords = final.instructions.map((i) => i.keyword);
    const user = keywords.lastIndexOf('USER');
    expect(user).toBeGreaterThanOrEqual(0);
    expect(['root', '0']).not.toContain(final.instructions[user]!.args[0]!.split(':')[0]);
    expect(user).toBeLessThan(keywords.indexOf('CMD'));
    expect(user).toBeLessThan(keywords.indexOf('ENTRYPOINT'));
    // node runs the bin itself, so it repeats the memory flags of the bin's shebang.
    const [entrypoint] = all('ENTRYPOINT');
    expect(entrypoint?.args.slice(0, 1 + binNodeFlags().length)).toEqual([
      'node',
      ...binNodeFlags(),
    ]);
    // Slim images have no curl or wget.
    const [health] = all('HEALTHCHECK');
    expect(health?.args[0]).toBe('node');
    expect(health?.text).toMatch(/\/health'/);
    expect(all('STOPSIGNAL').map((i) => i.args[0])).toEqual(['SIGTERM']);
    // Every port the image's configuration listens on is exposed, and the health check asks
    // the metrics port it configures.
    const config = JSON.parse(readFileSync(join(DEPLOY, 'relay.docker.json'), 'utf8')) as {
      listen: string[];
      metrics: string;
    };
    const ports = [...config.listen.map((uri) => String(parseUri(uri).port)), config.metrics];
    const exposed = all('EXPOSE').flatMap((i) => i.args);
    for (const port of ports) expect(exposed).toContain(port.replace(/^.*:/, ''));
    expect(health?.text).toContain(`http://127.0.0.1:${config.metrics.replace(/^.*:/, '')}/health`);
  });

  it('has a .dockerignore that keeps node_modules, dist and .git out of the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['.git', '**/node_modules', '**/dist'])
      expect(ignored).toContain(pattern);
    // What the image copies from the context exists.
    for (const copy of stages.flatMap((s) => s.instructions)) {
      if (copy.keyword !== 'COPY' || copy.flags.from !== undefined) continue;
      for (const source of copy.args.slice(0, -1))
        expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
  });
});

describe('the image layout, built on this machine', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'msrp-image-'));
    // Readable by the unprivileged user the relay runs as below.
    await chmod(work, 0o755);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it(
    "follows the Dockerfile's steps, runs its command until the health check passes, then stops on its STOPSIGNAL",
    async () => {
      // Paths in the image → here. The build stage's WORKDIR is the workspace itself, which
      // `npx pnpm install --frozen-lockfile` (the README's test command) has installed.
      const places = new Map<string, string>();
      const here = (path: string): string => places.get(path) ?? join(work, 'image', path);
      const imagePaths = new Set<string>();
      for (const i of stages.flatMap((s) => s.instructions)) {
        if (i.keyword === 'WORKDIR') imagePaths.add(i.args[0]!);
        if (i.keyword === 'COPY') {
          imagePaths.add(i.args.at(-1)!);
          if (i.flags.from !== undefined) i.args.slice(0, -1).forEach((p) => imagePaths.add(p));
        }
      }
      const build = stages[0]!.instructions.find((i) => i.keyword === 'WORKDIR')!.args[0]!;
      places.set(build, ROOT.replace(/\/$/, ''));
      const paths = [...imagePaths].filter((p) => p.startsWith('/'));
      paths.sort((a, b) => b.length - a.length);
      /** A command of the Dockerfile with its image paths replaced by those here. */
      const localize = (text: string): string =>
        paths.reduce(
          (t, p) =>
            t.replace(
              new RegExp(
                `(?<![\\w./-])${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[/\\s'"]|$)`,
                'g',
              ),
              here(p),
            ),
          text,
        );

      const shims = join(work, 'bin');
      await mkdir(shims);
      const env: NodeJS.ProcessEnv = {
        ...cleanEnv(),
        PATH: `${shims}:${process.env.PATH ?? ''}`,
        // What the npm cache has need not be fetched again; the steps are unchanged.
        npm_config_prefer_offline: 'true',
      };
      const imageEnv: Record<string, string> = {};
      let user: string | undefined;
      let cwd = ROOT;
      let command: string[] = [];
      let entrypoint: string[] = [];
      let healthcheck: string[] = [];
      let stopSignal: NodeJS.Signals = 'SIGTERM';
      for (const stage of stages) {
        for (const i of stage.instructions) {
          switch (i.keyword) {
            case 'WORKDIR':
              cwd = here(i.args[0]!);
              await mkdir(cwd, { recursive: true });
              break;
            case 'ENV':
              for (const pair of i.args)
                imageEnv[pair.split('=')[0]!] = pair.slice(pair.indexOf('=') + 1);
              break;
            case 'COPY': {
              const target = i.args.at(-1)!;
              for (const source of i.args.slice(0, -1)) {
                const from = i.flags.from !== undefined ? here(source) : join(ROOT, source);
                const to = target.startsWith('/') ? here(target) : resolve(cwd, target);
                // `COPY . .` into the build stage: the workspace is already there.
                if (resolve(from) === resolve(to)) continue;
                await mkdir(dirname(to), { recursive: true });
                await cp(from, to, { recursive: true });
              }
              break;
            }
            case 'RUN': {
              const pnpm = /^npm install -g pnpm@(\S+)$/.exec(i.text);
              if (pnpm) {
                // The same pnpm, through npx, without installing anything globally here.
                await writeFile(
                  join(shims, 'pnpm'),
                  `#!/bin/sh\nexec npx -y pnpm@${pnpm[1]} "$@"\n`,
                  {
                    mode: 0o755,
                  },
                );
              } else if (
                (i.text === 'pnpm install --frozen-lockfile' || i.text === 'pnpm run build') &&
                cwd === ROOT.replace(/\/$/, '')
              ) {
                // Done already, by the same commands (the build by test/global-setup.ts): run
                // again under other running tests, an install would pull node_modules from
                // under them, and a build deletes and rewrites the bundles their bins run
                // ("msrp: not built: .../msrp.bundle.js is missing" in cli.test.ts).
              } else {
                await promisify(execFile)('sh', ['-c', localize(i.text)], {
                  cwd,
                  env,
                  maxBuffer: 16 * 1024 * 1024,
                });
              }
              break;
            }
            case 'USER':
              user = i.args[0];
              break;
            case 'STOPSIGNAL':
              stopSignal = i.args[0] as NodeJS.Signals;
              break;
            case 'HEALTHCHECK':
              healthcheck = [...i.args];
              break;
            case 'ENTRYPOINT':
              entrypoint = [...i.args];
              break;
            case 'CMD':
              command = [...i.args];
              break;
            case 'EXPOSE':
              break;
            default:
              throw new Error(`the test does not know how to follow ${i.keyword}: teach it`);
          }
        }
      }
      expect(user).toBeDefined();
      // Only production dependencies: no compiler, no pnpm, no test runner in the image.
      const modules = join(cwd, 'node_modules');
      expect(existsSync(join(modules, '@msrp-ts/msrp-relay/dist/cli/msrp-relay.js'))).toBe(true);
      expect(existsSync(join(modules, '@msrp-ts/msrp-core/dist/index.js'))).toBe(true);
      // (@types/pg, and with it @types/node, is a dependency: the relay's types use pg's.)
      for (const dev of ['typescript', 'vitest', 'tsx', 'eslint', 'pnpm'])
        expect(existsSync(join(modules, dev)), dev).toBe(false);

      // docker run -e ... -v users:/etc/msrp-relay/users: loopback and free ports for the test.
      const users = join(work, 'users');
      await writeFile(users, USERS.map((u) => `${u.username}:${u.password}\n`).join(''), {
        mode: 0o644,
      });
      const [program, ...args] = [...entrypoint, ...command].map(localize);
      expect(program).toBe('node');
      const asRoot = process.getuid?.() === 0;
      const relay = start(
        process.execPath,
        args,
        {
          cwd,
          env: {
            PATH: env.PATH,
            ...imageEnv,
            MSRP_RELAY_LISTEN: 'msrp://127.0.0.1:0;tcp',
            MSRP_RELAY_METRICS: '127.0.0.1:0',
            MSRP_RELAY_USERS: users,
          },
          // USER node: as nobody here, which owns none of the files.
          ...(asRoot && { uid: 65534, gid: 65534 }),
        },
        onCleanup,
      );
      const uri = parseUri((await relay.line()).replace(/^listening /, ''));
      const metrics = (await relay.line()).replace(/^metrics /, '');
      const [checker, ...checkArgs] = healthcheck;
      expect(checker).toBe('node');
      const check = (): Promise<number> =>
        promisify(execFile)(
          process.execPath,
          checkArgs.map((a) => a.replace(/http:\/\/127\.0\.0\.1:\d+/, metrics)),
          { timeout: 5000 },
        ).then(
          () => 0,
          (e: { code?: number }) => e.code ?? 1,
        );
      // Polled as docker would, bounded.
      const deadline = Date.now() + 20_000;
      let health = await check();
      while (health !== 0 && Date.now() < deadline) health = await check();
      expect(health, relay.stderr()).toBe(0);

      // The installed relay relays.
      const alice = await clientOf('alice', [uri]);
      const bob = await clientOf('bob', [uri]);
      const { a, b } = await sessionPair(alice, bob);
      await a.send('through the image');
      expect((await next(b[Symbol.asyncIterator]())).text()).toBe('through the image');

      relay.child.kill(stopSignal);
      expect(await relay.exited, relay.stderr()).toBe(0);
      expect(relay.stderr()).toMatch(/"msg":"stopped"/);
      // Nothing answers any more: the health check fails.
      expect(await check()).not.toBe(0);
    },
    4 * MINUTE,
  );
});

/**
 * Our environment without the npm_* variables that `pnpm test` sets for the workspace's
 * scripts (as test/pack.test.ts does), so that npm acts in the image directory as in a fresh
 * shell; those that say how to reach a registry are kept.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const reach =
    /^npm_config_(registry|.+:registry|proxy|https?_proxy|no_?proxy|cafile|ca|strict_ssl|userconfig|globalconfig|cache)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) || reach.test(name)),
  );
}
