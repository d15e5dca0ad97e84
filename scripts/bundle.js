// `pnpm build` (and `prepare`, run by `pnpm install`) after `tsc -b`: each package's dist/
// bundled with esbuild into a few ES modules, which Node loads through the "node" condition
// of the package's "exports" and the bins run (issue 12, "Memory"). Node keeps ~120 KiB of RSS
// per ES module it loads; `import '@msrp-ts/msrp-core'` was ~125 of them (54.4 MiB RSS, Node
// alone 40.9), the bundle is one (47.0). Browsers and their bundlers keep the plain dist/
// (the "import" condition): this output is for Node only (node: built-ins, createRequire).
//
// Each package is bundled on its own with its dependencies external, so that what the bundle
// loads at run time (the workspace's other packages through their own bundles, fast-xml-parser
// and mime-types through createRequire on first use, pg, pino, ws) resolves from the package's
// own folder, as from dist/, in pnpm's layout and npm's alike. Dynamic import() stays lazy: a
// split chunk each. The output sits as deep below the package as the modules it replaces, so
// that `new URL('../package.json', import.meta.url)` (the bins' --version) still finds it.
import { build } from 'esbuild';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../packages/', import.meta.url));

/**
 * Per package: the dist/ modules that become entries (the "exports" and the bin), where the
 * bundle goes (relative to the package) and how its files are named.
 */
const BUNDLES = [
  // Not ./browser: it is for browsers (and their bundlers), which read dist/ itself.
  { dir: 'msrp-core', entries: ['index', 'internal', 'wire/uri'], outdir: 'dist/bundle' },
  { dir: 'sdp-msrp', entries: ['index'], outdir: 'dist/bundle' },
  // src/cli/config.ts reads ../../package.json: two levels down, as dist/cli/ is.
  { dir: 'msrp-relay', entries: ['index', 'cli/msrp-relay'], outdir: 'dist/bundle' },
  // src/version.ts reads ../package.json: one level down, in dist/ beside tsc's output.
  { dir: 'msrp-cli', entries: ['msrp'], outdir: 'dist', suffix: '.bundle' },
];

/** Removes the last build's output (chunk names carry a hash, so they would pile up). */
async function clean(outdir, suffix) {
  if (!suffix) return rm(outdir, { recursive: true, force: true });
  const names = await readdir(outdir).catch(() => []);
  await Promise.all(
    names
      .filter((n) => n.endsWith(`${suffix}.js`) || n.endsWith(`${suffix}.js.map`))
      .map((n) => rm(join(outdir, n))),
  );
}

await Promise.all(
  BUNDLES.map(async ({ dir, entries, outdir, suffix = '' }) => {
    const root = join(PACKAGES, dir);
    await clean(join(root, outdir), suffix);
    await build({
      entryPoints: entries.map((e) => join(root, 'dist', `${e}.js`)),
      outdir: join(root, outdir),
      entryNames: `[name]${suffix}`,
      chunkNames: `[name]-[hash]${suffix}`,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      // No keepNames: it wraps every named function and closure in __name(), a defineProperty
      // each time one is made (29 % of what the relay allocated per message). The two classes
      // esbuild renames (Node's RelayRegistration and HashTap share their base's name) set
      // their own `.name` (node-digest.ts); test/bundle.test.ts checks it.
      // Maps back through tsc's own maps to src/*.ts, for `node --enable-source-maps`; Node reads
      // them only with that flag, so they cost nothing otherwise.
      sourcemap: true,
      sourcesContent: false, // src/ ships in each package
      logLevel: 'warning',
    });
  }),
);
