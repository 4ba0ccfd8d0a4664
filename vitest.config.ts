import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-Envoy suite runs on its own (npm run test:e2e:envoy): it needs ENVOY_BIN or Docker.
    exclude: process.env['TSIOD_E2E'] ? [] : ['test/e2e/**'],
    // Each file in its own process: gRPC xDS clients keep process-wide state (bootstrap, channels).
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
