import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run against the TypeScript sources (the "source" export condition), no build needed.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 30_000,
  },
});
