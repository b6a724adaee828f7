// Lint, including the layering rule: shared/ imports nothing outside itself, main/ never imports
// electron or the UI, renderer/ talks to the core only through shared/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test-results/**', 'renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        queueMicrotask: 'readonly', structuredClone: 'readonly', URL: 'readonly',
        AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly',
        performance: 'readonly', fetch: 'readonly', window: 'readonly', document: 'readonly',
        requestAnimationFrame: 'readonly', cancelAnimationFrame: 'readonly', navigator: 'readonly',
        sessionStorage: 'readonly', localStorage: 'readonly', WebSocket: 'readonly', ResizeObserver: 'readonly',
        Worker: 'readonly', self: 'readonly', Blob: 'readonly', setImmediate: 'readonly', crypto: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  layer(['shared/**/*.{ts,tsx}'], [
    { group: ['../main/*', '../electron/*', '../renderer/*', '**/main/**', '**/electron/**', '**/renderer/**'], message: 'shared/ is the contract: it imports nothing outside shared/.' },
    { group: ['electron', 'node:*', 'fs', 'path', 'child_process', 'os', 'net'], message: 'shared/ runs in the renderer too: no Node or Electron imports.' },
  ]),
  layer(['main/**/*.{ts,tsx}'], [
    { group: ['electron', 'electron/*'], message: 'main/ is the core and runs under plain Node: never import electron.' },
    { group: ['**/renderer/**', '**/electron/**'], message: 'main/ must not depend on the UI or the Electron shell.' },
  ]),
  layer(['renderer/src/**/*.{ts,tsx}'], [
    { group: ['**/main/**', '**/electron/**'], message: 'renderer/ talks to the core only through the shared/ contract.' },
    { group: ['electron', 'node:*', 'fs', 'child_process'], message: 'renderer/ is untrusted browser code: no Node or Electron imports.' },
  ]),
  layer(['electron/**/*.{ts,tsx}'], [
    { group: ['**/renderer/**'], message: 'electron/ loads the built renderer; it does not import its source.' },
  ]),
  {
    files: ['**/*.test.{ts,tsx}', 'e2e/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
