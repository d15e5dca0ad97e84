import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The repository root: paths below hold from any directory vitest is started in. */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Tests run against the TypeScript sources (the "source" export condition), no build needed.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', `${root}scripts/summary-reporter.ts`],
    testTimeout: 30_000,
    // The workspace is built once, before any file runs (the bins' tests run dist/).
    globalSetup: [`${root}test/global-setup.ts`],
    // Two files at once even on 2 cores (vitest's default is one fewer than the cores): most
    // tests wait on the processes and sockets they start, not on a CPU.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
