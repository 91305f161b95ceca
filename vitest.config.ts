import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start servers on loopback; keep file-level parallelism modest on 2 cores.
    maxWorkers: 2,
    pool: 'forks',
  },
});
