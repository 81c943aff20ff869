import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      // 30 s, not vitest's 5 s: on a busy machine (parallel work on 2 cores) a few unit tests that parse
      // or generate many documents take several seconds; the heaviest set their own, longer timeouts
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
