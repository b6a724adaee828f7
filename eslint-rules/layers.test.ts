// The layering rule, run through ESLint's Node API with the repo's own eslint.config.js (so the
// real layer table is what is tested) on virtual files placed inside each layer.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The layering messages for `code` as if it were the file `filePath` (relative to the repo). */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result.messages.filter((m) => m.fatal);
  expect(fatal, `parse error in the test snippet for ${filePath}`).toEqual([]);
  return result.messages.filter((m) => m.ruleId === 'harness/layers').map((m) => m.message);
}

describe('one forbidden import per layer fails lint', () => {
  const cases: Array<[file: string, code: string, expected: string]> = [
    ['shared/x.ts', "import { readProcStat } from '../main/os/proc-stat.js';", 'shared may not import main/os/proc-stat.js'],
    ['shared/graph/x.ts', "import type { Stats } from 'node:fs';", 'shared may not import the Node built-in "node:fs"'],
    ['shared/x.ts', "export { parse } from 'yaml';", 'shared may not import the npm package "yaml"'],
    ['shared/x.ts', '/// <reference types="node" />\nexport const a = 1;', 'shared may not import the Node built-in "node (types)"'],
    ['main/os/x.ts', "import { stateDir } from '../state/paths.js';", 'main/os may not import main/state/paths.js'],
    ['main/os/x.ts', "import { execa } from 'execa';", 'main/os may not import the npm package "execa"'],
    ['main/logs/x.ts', "export * from '../config/index.js';", 'main/logs may not import main/config/index.js'],
    ['main/state/x.ts', "const m = await import('../executors/process/process-executor.js');", 'main/state may not import main/executors/process/process-executor.js'],
    ['main/network/x.ts', "import { dockerResolvers } from '../executors/docker/resolvers.js';", 'main/network may not import main/executors/docker/resolvers.js'],
    ['main/health/x.ts', "import type { ProcessExecutor } from '../executors/process/process-executor.js';", 'main/health may not import main/executors/process/process-executor.js'],
    ['main/health/x.ts', "import { ServiceManager } from '../core/service-manager.js';", 'main/health may not import main/core/service-manager.js'],
    ['main/config/x.ts', "import { ProjectSession } from '../project/project-session.js';", 'main/config may not import main/project/project-session.js'],
    ['main/config/x.ts', "import Docker from 'dockerode';", 'main/config may not import the npm package "dockerode"'],
    ['main/ssh/x.ts', "import { RemoteExecutor } from '../executors/remote-lan/remote-executor.js';", 'main/ssh may not import main/executors/remote-lan/remote-executor.js'],
    ['main/core/x.ts', "import { ProcessExecutor } from '../executors/process/process-executor.js';", 'main/core may not import main/executors/process/process-executor.js'],
    ['main/core/x.ts', "const { app } = await import('electron');", 'main/core may not import the npm package "electron"'],
    ['main/executors/process/x.ts', "import { DockerEngine } from '../docker/engine.js';", 'main/executors/process may not import main/executors/docker/engine.js'],
    ['main/executors/process/x.ts', "import { connect } from '../../ssh/pool.js';", 'main/executors/process may not import main/ssh/pool.js'],
    ['main/executors/docker/x.ts', "import { execa } from 'execa';", 'main/executors/docker may not import the npm package "execa"'],
    ['main/executors/docker/x.ts', "import { ProjectSession } from '../../project/project-session.js';", 'main/executors/docker may not import main/project/project-session.js'],
    ['main/executors/remote-lan/x.ts', "import { deploy } from '../wireguard/deploy.js';", 'main/executors/remote-lan may not import main/executors/wireguard/deploy.js'],
    ['main/executors/wireguard/x.ts', "import { DockerEngine } from '../docker/engine.js';", 'main/executors/wireguard may not import main/executors/docker/engine.js'],
    ['main/executors/registry.ts', "import { ProjectSession } from '../project/project-session.js';", 'main/executors/registry.ts may not import main/project/project-session.js'],
    ['main/project/x.ts', "import { DockerExecutor } from '../executors/docker/docker-executor.js';", 'main/project may not import main/executors/docker/docker-executor.js'],
    ['main/api/x.ts', "import { ServiceManager } from '../core/service-manager.js';", 'main/api may not import main/core/service-manager.js'],
    ['main/supervisor/x.ts', "import { ProcessExecutor } from '../executors/process/process-executor.js';", 'main/supervisor may not import main/executors/process/process-executor.js'],
    ['main/server/x.ts', "import { ProjectSession } from '../project/project-session.js';", 'main/server may not import main/project/project-session.js'],
    ['main/cli/x.ts', "import { DockerEngine } from '../executors/docker/engine.js';", 'main/cli may not import main/executors/docker/engine.js'],
    ['main/cli/commands/x.ts', "const m = await import('../../executors/docker/labels.js');", 'main/cli may not import main/executors/docker/labels.js'],
    ['main/cli/x.ts', "import { WebSocketServer } from 'ws';", 'main/cli may not import the npm package "ws"'],
    ['electron/x.ts', "import { App } from '../renderer/src/App.js';", 'electron may not import renderer/src/App.js'],
    ['electron/x.ts', "import { WebSocketServer } from 'ws';", 'electron may not import the npm package "ws"'],
    ['renderer/src/x.ts', "const m = await import('../../main/core/executor.js');", 'renderer/src may not import main/core/executor.js'],
    ['renderer/src/panels/x.tsx', "import { readFile } from 'node:fs/promises';", 'renderer/src may not import the Node built-in "node:fs/promises"'],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';", 'renderer/src may not import the npm package "electron"'],
    ['renderer/src/x.ts', "import { parse } from 'yaml';", 'renderer/src may not import the npm package "yaml"'],
    ['renderer/src/x.ts', "import source from './worker.js?raw';", 'renderer/src may not use the asset import "./worker.js?raw"'],
  ];
  it.each(cases)('%s: %s', async (file, code, expected) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
  });
});

describe('every way of importing is checked', () => {
  const file = 'main/project/x.ts';
  const docker = 'main/project may not import main/executors/docker/engine.js';
  const forms: Array<[form: string, code: string]> = [
    ['static import', "import { DockerEngine } from '../executors/docker/engine.js';"],
    ['side-effect import', "import '../executors/docker/engine.js';"],
    ['import type', "import type { DockerEngine } from '../executors/docker/engine.js';"],
    ['inline type specifier', "import { type DockerEngine } from '../executors/docker/engine.js';"],
    ['export from', "export { DockerEngine } from '../executors/docker/engine.js';"],
    ['export type from', "export type { DockerEngine } from '../executors/docker/engine.js';"],
    ['export * from', "export * from '../executors/docker/engine.js';"],
    ['export * as from', "export * as engine from '../executors/docker/engine.js';"],
    ['dynamic import()', "export const m = import('../executors/docker/engine.js');"],
    ['dynamic import() of a plain template literal', 'export const m = import(`../executors/docker/engine.js`);'],
    ['import() type', "export type E = import('../executors/docker/engine.js').DockerEngine;"],
    ['require()', "export const m = require('../executors/docker/engine.js');"],
    ['createRequire()', "import { createRequire } from 'node:module';\nconst req = createRequire(import.meta.url);\nexport const m = req('../executors/docker/engine.js');"],
    ['module.createRequire()()', "import module from 'node:module';\nexport const m = module.createRequire(import.meta.url)('../executors/docker/engine.js');"],
    ['require.resolve()', "export const p = require.resolve('../executors/docker/engine.js');"],
    ['import x = require()', "import engine = require('../executors/docker/engine.js');\nexport { engine };"],
    ['triple-slash reference path', '/// <reference path="../executors/docker/engine.js" />\nexport const a = 1;'],
  ];
  it.each(forms)('%s', async (_form, code) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(docker);
  });

  it('a forbidden npm package is caught through require() and import() too', async () => {
    expect(await layerErrors('main/core/x.ts', "export const e = require('electron');")).toEqual([
      expect.stringContaining('main/core may not import the npm package "electron"'),
    ]);
    expect(await layerErrors('main/core/x.ts', "export const e = import('electron/main');")).toEqual([
      expect.stringContaining('main/core may not import the npm package "electron"'),
    ]);
  });

  it.each([
    ['a variable', "const where = '../executors/docker/engine.js';\nexport const m = import(where);"],
    ['a template with an expression', "const kind = 'docker';\nexport const m = import(`../executors/${kind}/engine.js`);"],
    ['a computed require()', "const where = 'electron';\nexport const m = require(where);"],
  ])('a non-literal specifier (%s) is itself an error', async (_what, code) => {
    const errors = await layerErrors('main/core/x.ts', code);
    expect(errors).toEqual([expect.stringContaining('with a computed specifier in main/core: the layer table cannot check it')]);
  });

  it('the message names both layers and says what the importing layer may import', async () => {
    const [message] = await layerErrors(file, "import { DockerEngine } from '../executors/docker/engine.js';");
    expect(message).toBe(
      'main/project may not import main/executors/docker/engine.js (layer main/executors/docker). main/project may import ' +
        'shared, main/os, main/config, main/core, main/logs, main/network, main/state, main/executors/registry.ts and its own ' +
        'folder; Node built-ins; no npm packages. (the project reaches executors only through main/executors/registry.ts)',
    );
  });

  it('a file in a folder the table does not list is an error, so a new folder must be placed', async () => {
    expect(await layerErrors('main/newfolder/x.ts', 'export const a = 1;')).toEqual([
      'main/newfolder/x.ts is in no layer of the layer table (eslint.config.js): add its folder with what it may import.',
    ]);
  });

  it('shipped code may not import test code, even from its own folder', async () => {
    expect(await layerErrors('main/core/x.ts', "import { harness } from './test-support/core-harness.js';")).toEqual([
      'main/core is shipped code and may not import test code (main/core/test-support/core-harness.js).',
    ]);
    expect(await layerErrors('main/api/x.ts', "import { contractSuite } from './contract.test-suite.js';")).toEqual([
      'main/api is shipped code and may not import test code (main/api/contract.test-suite.js).',
    ]);
    // Test code itself may import test code.
    expect(await layerErrors('main/server/x.test.ts', "import { contractSuite } from '../api/contract.test-suite.js';")).toEqual([]);
  });
});

describe('allowed imports pass', () => {
  const cases: Array<[file: string, code: string]> = [
    ['shared/graph/x.ts', "import type { ApiMethods } from '../api.js';\nexport * from './closures.js';"],
    ['main/os/x.ts', "import { readFile } from 'node:fs/promises';\nimport { HarnessError } from '../../shared/errors.js';\nimport os from 'os';"],
    ['main/health/x.ts', "import { execa } from 'execa';\nimport { killGroup } from '../os/process-group.js';"],
    ['main/config/x.ts', "import { parseDocument } from 'yaml';\nimport { atomicWrite } from '../os/atomic-write.js';"],
    ['main/ssh/x.ts', "import { Client } from 'ssh2';\nimport { readFile } from 'node:fs/promises';"],
    ['main/core/x.ts', "import { LogStore } from '../logs/log-store.js';\nimport { probe } from '../health/probes.js';\nimport { NetworkManager } from '../network/network-manager.js';"],
    ['main/executors/process/x.ts', "import { execa } from 'execa';\nimport type { ServiceExecutor } from '../../core/executor.js';\nimport { writeState } from '../../state/process-state.js';"],
    ['main/executors/docker/x.ts', "import Docker from 'dockerode';\nimport tar from 'tar-stream';\nimport { probe } from '../../health/probes.js';"],
    ['main/executors/remote-lan/x.ts', "import { Client } from 'ssh2';\nimport { pool } from '../../ssh/pool.js';"],
    ['main/executors/wireguard/x.ts', "import { deploy } from '../remote-lan/deploy.js';\nimport { pool } from '../../ssh/pool.js';\nimport tar from 'tar-stream';"],
    ['main/executors/registry.ts', "import { ProcessExecutor } from './process/process-executor.js';\nimport { DockerExecutor } from './docker/docker-executor.js';"],
    ['main/project/x.ts', "import { createExecutors } from '../executors/registry.js';\nimport { loadProject } from '../config/index.js';"],
    ['main/api/x.ts', "import { ProjectSession } from '../project/project-session.js';"],
    ['main/supervisor/x.ts', "import type { ExecutorRegistry } from '../executors/registry.js';\nimport { CoreApi } from '../api/core-api.js';"],
    ['main/server/x.ts', "import { WebSocketServer } from 'ws';\nimport { Dispatcher } from '../api/dispatcher.js';"],
    ['main/cli/commands/x.ts', "const r = await import('../../executors/registry.js');\nimport { serve } from '../../server/harness-server.js';\nexport { r, serve };"],
    ['main/cli/docker-containers.ts', "const { DockerEngine } = await import('../executors/docker/engine.js');\nimport { EXIT } from './errors.js';\nexport { DockerEngine, EXIT };"],
    ['main/test-support/x.ts', "import { ProcessExecutor } from '../executors/process/process-executor.js';"],
    ['electron/x.ts', "import { app } from 'electron';\nimport { Dispatcher } from '../main/api/dispatcher.js';\nimport path from 'node:path';"],
    ['renderer/src/x.tsx', [
      "import { memo } from 'react';",
      "import { createRoot } from 'react-dom/client';",
      "import { ReactFlow } from '@xyflow/react';",
      "import '@xyflow/react/dist/style.css';",
      "import { Terminal } from '@xterm/xterm';",
      "import { FitAddon } from '@xterm/addon-fit';",
      "import { createStore } from 'zustand/vanilla';",
      "import ELK from 'elkjs/lib/elk-api.js';",
      "import workerUrl from 'elkjs/lib/elk-worker.min.js?url';",
      "import LayoutWorker from './layout.worker.js?worker';",
      "import type { ApiMethods } from '../../shared/api.js';",
      "const loaded = import('./logs/xterm-loader.js');",
    ].join('\n')],
    // Unlayered folders are free.
    ['e2e/x.ts', "import { _electron } from 'playwright-core';\nconst m = await import('../main/core/service-manager.js');\nexport { m };"],
    ['bench/x.mjs', "import Docker from 'dockerode';\nconst where = './x.mjs';\nawait import(where);"],
    ['scripts/x.mjs', "import { build } from 'vite';\nimport { app } from 'electron';"],
  ];
  it.each(cases)('%s', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});

describe('test code', () => {
  it('a main/ test may import any main/ folder, shared/ and the dev tools', async () => {
    const code = [
      "import { describe, it } from 'vitest';",
      "import fc from 'fast-check';",
      "import { build } from 'esbuild';",
      "import { chromium } from 'playwright-core';",
      "import { Terminal } from '@xterm/headless';",
      "import { ProcessExecutor } from '../executors/process/process-executor.js';",
      "import { DockerEngine } from '../executors/docker/engine.js';",
      "import { ProjectSession } from '../project/project-session.js';",
      "import { tmpdir } from 'node:os';",
    ].join('\n');
    expect(await layerErrors('main/core/x.test.ts', code)).toEqual([]);
    expect(await layerErrors('main/core/test-support/x.ts', code)).toEqual([]);
    expect(await layerErrors('main/api/contract.test-suite.ts', code)).toEqual([]);
    expect(await layerErrors('shared/x.test.ts', code.replaceAll("'../", "'../main/"))).toEqual([]);
  });

  it('a main/ test still may not import electron or npm packages outside its layer and the dev tools', async () => {
    expect(await layerErrors('main/core/x.test.ts', "import { app } from 'electron';")).toEqual([
      expect.stringContaining('main/core may not import the npm package "electron"'),
    ]);
    expect(await layerErrors('main/executors/docker/x.test.ts', "import { Client } from 'ssh2';")).toEqual([
      expect.stringContaining('main/executors/docker may not import the npm package "ssh2"'),
    ]);
    expect(await layerErrors('main/core/x.test.ts', "import { App } from '../../renderer/src/App.js';")).toEqual([
      expect.stringContaining('main/core may not import renderer/src/App.js'),
    ]);
  });

  it('a renderer test may import the renderer, shared/, vitest and fast-check only', async () => {
    expect(await layerErrors('renderer/src/stores/x.test.ts', "import { it } from 'vitest';\nimport { createStores } from './stores.js';\nimport type { ApiMethods } from '../../../shared/api.js';")).toEqual([]);
    expect(await layerErrors('renderer/src/stores/x.test.ts', "import { ServiceManager } from '../../../main/core/service-manager.js';")).toEqual([
      expect.stringContaining('renderer/src may not import main/core/service-manager.js'),
    ]);
    expect(await layerErrors('renderer/src/stores/x.test.ts', "import fc from 'fast-check';")).toEqual([]);
    expect(await layerErrors('renderer/src/stores/x.test.ts', "import { execa } from 'execa';")).toEqual([
      expect.stringContaining('renderer/src may not import the npm package "execa"'),
    ]);
    expect(await layerErrors('renderer/src/stores/x.test.ts', "import { tmpdir } from 'node:os';")).toEqual([
      expect.stringContaining('renderer/src may not import the Node built-in "node:os"'),
    ]);
  });
});
