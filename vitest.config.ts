import { defineConfig } from 'vitest/config';

// One run covers every suite; slow integration suites (Docker, browser) have their own files and
// longer timeouts set inside them.
export default defineConfig({
  test: {
    include: ['{shared,main,electron,renderer,e2e,bench,scripts,eslint-rules}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
