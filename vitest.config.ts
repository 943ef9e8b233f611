import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'console/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each HTTP spec file owns a whole database (a PGlite instance or a fresh PostgreSQL database),
    // so files can run in parallel; two forks match the two cores of our machines.
    pool: 'forks',
    maxWorkers: 2,
  },
})
