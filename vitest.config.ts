import { defineConfig } from 'vitest/config';

// Three tiers: unit (pure logic, no I/O), integration (app.inject on PGlite and PostgreSQL),
// e2e (Playwright in Debian's Chromium, JavaScript on and off, axe on every page).
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.unit.test.{ts,tsx}', 'test/unit/**/*.test.{ts,tsx}'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['src/**/*.int.test.{ts,tsx}', 'test/integration/**/*.test.{ts,tsx}'] },
      },
      {
        extends: true,
        // Each journey file has its own app, database and browser on its own port: two run side by side.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.{ts,tsx}'], testTimeout: 240_000 },
      },
    ],
  },
});
