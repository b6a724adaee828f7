// Lint, including the layering rule (eslint-rules/layers.js): every folder of shared/, main/,
// electron/ and renderer/src is a layer, and the table below says what each one MAY import
// (other folders, Node built-ins, npm packages). Anything not listed is an error, for static,
// type-only, dynamic and require() imports alike.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './eslint-rules/layers.js';

// What the executors build on; a kind never imports another kind unless its row says so.
const executorBase = ['shared', 'main/os', 'main/core', 'main/network', 'main/health', 'main/state', 'main/logs'];
const cliImports = [
  'shared', 'main/os', 'main/config', 'main/compose', 'main/state', 'main/logs', 'main/project', 'main/api', 'main/supervisor', 'main/server',
  'main/executors/registry.ts',
];

/**
 * The layer table. `path` is a folder (or one file, which then beats its folder); a file belongs
 * to the longest path that holds it. `imports` are the folders/files it may import besides its
 * own; `builtins` whether Node built-ins are allowed; `packages` the npm packages (`@scope/*` for
 * a whole scope); `assetQueries` the Vite `?query` imports.
 */
const layerTable = [
  { path: 'shared', note: 'shared/ is the contract and runs in the renderer too: it imports nothing but shared/' },
  { path: 'main/os', imports: ['shared'], builtins: true, note: 'main/os is the leaf of operating-system primitives' },
  { path: 'main/logs', imports: ['shared', 'main/os'], builtins: true },
  { path: 'main/state', imports: ['shared', 'main/os'], builtins: true },
  { path: 'main/network', imports: ['shared', 'main/os'], builtins: true },
  { path: 'main/health', imports: ['shared', 'main/os'], builtins: true, packages: ['execa'], note: 'health probes are a leaf that executors and the core use' },
  { path: 'main/config', imports: ['shared', 'main/os'], builtins: true, packages: ['yaml'] },
  { path: 'main/compose', imports: ['shared', 'main/os', 'main/config'], builtins: true, packages: ['yaml'] },
  { path: 'main/ssh', imports: ['shared', 'main/os'], builtins: true, packages: ['ssh2'] },
  { path: 'main/core', imports: ['shared', 'main/os', 'main/logs', 'main/health', 'main/network'], builtins: true, note: 'the core knows executors only through the ServiceExecutor interface' },
  { path: 'main/executors/process', imports: executorBase, builtins: true, packages: ['execa'] },
  { path: 'main/executors/docker', imports: executorBase, builtins: true, packages: ['dockerode', 'tar-stream'] },
  { path: 'main/executors/remote-lan', imports: [...executorBase, 'main/ssh'], builtins: true, packages: ['ssh2'] },
  { path: 'main/executors/wireguard', imports: [...executorBase, 'main/ssh', 'main/executors/remote-lan'], builtins: true, packages: ['ssh2', 'tar-stream'] },
  { path: 'main/executors/registry.ts', imports: ['main/executors', 'main/core', 'shared'], builtins: true, note: 'the registry is the one list of executors' },
  {
    path: 'main/project',
    imports: ['shared', 'main/os', 'main/config', 'main/core', 'main/logs', 'main/network', 'main/state', 'main/executors/registry.ts'],
    builtins: true,
    note: 'the project reaches executors only through main/executors/registry.ts',
  },
  { path: 'main/api', imports: ['shared', 'main/os', 'main/project', 'main/compose'], builtins: true },
  { path: 'main/supervisor', imports: ['shared', 'main/os', 'main/api', 'main/project', 'main/state', 'main/executors/registry.ts'], builtins: true },
  { path: 'main/server', imports: ['shared', 'main/os', 'main/state', 'main/api'], builtins: true, packages: ['ws'] },
  { path: 'main/cli', imports: cliImports, builtins: true },
  // The one exception to "nothing outside executors/ names a concrete executor": `harness ps`
  // lists the project's containers straight from the engine (also with no supervisor running),
  // so this one file, loaded only for projects with Docker services, reads executors/docker.
  { path: 'main/cli/docker-containers.ts', imports: [...cliImports, 'main/cli', 'main/executors/docker'], builtins: true },
  // `harness pack` builds and checks a package with the very code the Wireguard deployer runs.
  { path: 'main/cli/commands/pack.ts', imports: [...cliImports, 'main/cli', 'main/executors/wireguard/index.ts'], builtins: true },
  // `harness trust` reads a host's key and appends it to known_hosts: the SSH layer's trust flow,
  // with no project and no executor involved.
  { path: 'main/cli/commands/trust.ts', imports: [...cliImports, 'main/cli', 'main/ssh'], builtins: true },
  { path: 'main/test-support', imports: ['main', 'shared'], builtins: true },
  { path: 'electron', imports: ['shared', 'main'], builtins: true, packages: ['electron'], note: 'electron/ is the only code that imports electron' },
  {
    path: 'renderer/src',
    imports: ['shared'],
    // codemirror and @codemirror/*: the YAML source panel (dev dependencies added on main, 9a2f5c8).
    packages: ['react', 'react-dom', '@xyflow/react', '@xterm/*', 'zustand', 'elkjs', 'codemirror', '@codemirror/*', '@lezer/highlight'],
    assetQueries: ['url', 'worker'],
    note: 'renderer/ is browser code: it talks to the core only through the shared/ contract',
  },
];

const layerRule = {
  root: import.meta.dirname,
  // A file under these roots that no row of the table holds is itself an error.
  layered: ['shared', 'main', 'electron', 'renderer/src'],
  testFiles: ['**/*.test.ts', '**/*.test.tsx', '**/*.test-suite.ts', '**/test-support/**'],
  // Test code: its layer's allowance plus the first matching row here.
  tests: [
    // Property tests of the renderer's pure modules (fit-viewport) use fast-check too.
    { under: 'renderer', packages: ['vitest', 'fast-check'] },
    {
      under: '',
      imports: ['main', 'shared'],
      builtins: true,
      packages: ['vitest', 'fast-check', 'esbuild', 'playwright-core', '@xterm/headless', 'execa'],
    },
  ],
  layers: layerTable,
};

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
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    plugins: { harness: { rules: { layers } } },
    rules: { 'harness/layers': ['error', layerRule] },
  },
  {
    files: ['**/*.test.{ts,tsx}', 'e2e/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
