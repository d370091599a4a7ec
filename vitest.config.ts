import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'workers/**/*.test.ts'],
    exclude: ['node_modules', 'dist', 'test/bench/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Native addons (hnswlib, better-sqlite3) and shared services: forks isolate them cleanly.
    pool: 'forks',
    // The JSON report is what .ci/run counts passed and failed tests from.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
