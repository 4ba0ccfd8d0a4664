import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file in its own process: gRPC xDS clients keep process-wide state (bootstrap, channels).
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
