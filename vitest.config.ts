import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run against the TypeScript sources (the "source" export condition), no build needed.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 30_000,
    // Two files at once even on 2 cores (vitest's default is one fewer than the cores): most
    // tests wait on the processes and sockets they start, not on a CPU. On this 2-core machine
    // the suite took 488–528 s with one and 360–370 s with two, every test passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
