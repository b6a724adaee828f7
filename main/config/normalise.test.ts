// Good files in both forms become the expected ProjectConfig; interpolation and `.env`.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../../shared/config-types.js';
import { loadProject } from './load-project.js';
import { parseProject } from './parse-project.js';

const DIR = '/projects/My Demo!';
const FILE = `${DIR}/services.yaml`;

const LIST_FORM = `# comment
services:
  - name: store
    target:
      type: Process
      binary: node
      args: [store.js, --port, 7001]
      env: {DEBUG: 1, MODE: fast}
      ports: [7001]
    health_check: {type: tcp}
  - name: api
    target: {type: Process, binary: ./bin/api, working_dir: srv, ports: [7002]}
    dependencies: [store]
    health_check: {type: http, path: health, interval: 50ms, timeout: 2s, retries: 5, start_period: 1m30s}
    restart: on-failure
    stop_signal: INT
    stop_grace_period: 2500
  - name: db
    target:
      type: Docker
      image: postgres:16
      ports: ["127.0.0.1:5433:5432", 9000]
      volumes: [./data:/var/lib/postgresql/data, cache:/cache:ro, /abs:/abs]
      build: {context: ./docker, dockerfile: Dockerfile.dev}
      command: [postgres, -c, fsync=off]
    health_check: {type: command, command: pg_isready}
    restart: {policy: always, max_retries: 2, backoff: 100ms, max_backoff: 1s}
    ui: {position: {x: 10, y: -20.5}}
  - name: edge
    target: {type: RemoteLan, host: 10.0.0.5, user: pi, binary: ./srv, args: [-v]}
    health_check: {type: log, pattern: "ready on \\\\d+", stream: stderr}
  - name: peer
    target: {type: Wireguard, host: 10.8.0.2, user: deploy, package: pkg/app.tar.gz, ssh_port: 2222, ports: [80]}
    health_check: {type: http, url: "http://10.8.0.2/health", expect_status: 204}
`;

const TIMING = { interval_ms: 1000, start_interval_ms: 25, timeout_ms: 1000, retries: 3, start_period_ms: 60_000 };
const RESTART_NO = { policy: 'no', max_retries: 5, backoff_ms: 250, max_backoff_ms: 10_000 };

const EXPECTED: ProjectConfig = {
  name: 'my-demo-',
  file: FILE,
  dir: DIR,
  services: [
    {
      name: 'store',
      target: { type: 'Process', binary: 'node', args: ['store.js', '--port', '7001'], env: { DEBUG: '1', MODE: 'fast' }, working_dir: DIR, ports: [7001] },
      dependencies: [],
      health_check: { type: 'tcp', port: 7001, ...TIMING },
      restart: RESTART_NO as never,
      stop_signal: 'SIGTERM',
      stop_grace_period_ms: 10_000,
    },
    {
      name: 'api',
      target: { type: 'Process', binary: `${DIR}/bin/api`, args: [], env: {}, working_dir: `${DIR}/srv`, ports: [7002] },
      dependencies: ['store'],
      health_check: { type: 'http', url: 'http://127.0.0.1:7002/health', expect_status: 0, interval_ms: 50, start_interval_ms: 25, timeout_ms: 2000, retries: 5, start_period_ms: 90_000 },
      restart: { ...RESTART_NO, policy: 'on-failure' } as never,
      stop_signal: 'SIGINT',
      stop_grace_period_ms: 2500,
    },
    {
      name: 'db',
      target: {
        type: 'Docker',
        image: 'postgres:16',
        env: {},
        ports: ['127.0.0.1:5433:5432', 9000],
        volumes: [`${DIR}/data:/var/lib/postgresql/data`, 'cache:/cache:ro', '/abs:/abs'],
        build: { context: `${DIR}/docker`, dockerfile: 'Dockerfile.dev' },
        command: ['postgres', '-c', 'fsync=off'],
      },
      dependencies: [],
      health_check: { type: 'command', command: ['sh', '-c', 'pg_isready'], ...TIMING },
      restart: { policy: 'always', max_retries: 2, backoff_ms: 100, max_backoff_ms: 1000 },
      stop_signal: 'SIGTERM',
      stop_grace_period_ms: 10_000,
      ui: { position: { x: 10, y: -20.5 } },
    },
    {
      name: 'edge',
      target: { type: 'RemoteLan', host: '10.0.0.5', user: 'pi', binary: './srv', args: ['-v'], env: {}, ssh_port: 22, ports: [] },
      dependencies: [],
      health_check: { type: 'log', pattern: 'ready on \\d+', stream: 'stderr', ...TIMING },
      restart: RESTART_NO as never,
      stop_signal: 'SIGTERM',
      stop_grace_period_ms: 10_000,
    },
    {
      name: 'peer',
      target: { type: 'Wireguard', host: '10.8.0.2', user: 'deploy', package: `${DIR}/pkg/app.tar.gz`, env: {}, ssh_port: 2222, ports: [80] },
      dependencies: [],
      health_check: { type: 'http', url: 'http://10.8.0.2/health', expect_status: 204, ...TIMING },
      restart: RESTART_NO as never,
      stop_signal: 'SIGTERM',
      stop_grace_period_ms: 10_000,
    },
  ],
};

/** The same services in map form (name from the key; `name:` inside allowed when equal). */
function toMapForm(list: string): string {
  return list
    .replace(/^ {2}- name: (\S+)\n/gm, (_m, n: string) => (n === 'api' ? `  ${n}:\n    name: api\n` : `  ${n}:\n`))
    .replace(/^services:/m, 'x-notes: ignored extension\nservices:');
}

describe('normalising good files', () => {
  it('list form: defaults, paths, durations, ports', () => {
    const r = parseProject(LIST_FORM, FILE, {});
    expect(r.problems).toEqual([]);
    expect(r.config).toEqual(EXPECTED);
  });

  it('map form gives the same config, with map-form paths in problems', () => {
    const mapText = toMapForm(LIST_FORM);
    expect(mapText).toContain('  store:\n');
    const r = parseProject(mapText, FILE, {});
    expect(r.problems).toEqual([]);
    expect(r.config).toEqual(EXPECTED);
    const bad = parseProject(mapText.replace('binary: ./bin/api', 'binary: [x]'), FILE, {});
    expect(bad.problems.map((p) => p.path)).toEqual(['services.api.target.binary']);
  });

  it('a file written against the bare model (all model fields, nothing else) is valid', () => {
    const model = `services:
  - name: a
    target: {type: Process, binary: x, args: [], env: {}}
    dependencies: []
  - name: b
    target: {type: Docker, image: nginx, env: {}, ports: [80], volumes: []}
    dependencies: [a]
  - name: c
    target: {type: RemoteLan, host: h, user: u, binary: /x, args: []}
    dependencies: []
  - name: d
    target: {type: Wireguard, host: h, user: u, package: ./p.tgz}
    dependencies: []
`;
    const r = parseProject(model, FILE, {});
    expect(r.problems).toEqual([]);
    expect(r.config!.services.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('project name from the file wins over the directory name; empty services are fine', () => {
    const r = parseProject('name: shop\nservices: []\n', FILE, {});
    expect(r.config).toMatchObject({ name: 'shop', services: [] });
  });

  it('anchors and merge keys work within the limits', () => {
    const text = `x-defaults: &d
  restart: always
  stop_grace_period: 1s
services:
  - name: a
    <<: *d
    target: {type: Process, binary: x}
  - name: b
    <<: *d
    stop_grace_period: 3s
    target: {type: Process, binary: x}
`;
    const r = parseProject(text, FILE, {});
    expect(r.problems).toEqual([]);
    expect(r.config!.services.map((s) => [s.restart.policy, s.stop_grace_period_ms])).toEqual([
      ['always', 1000],
      ['always', 3000],
    ]);
  });

  it('restart delays at the minimum (10ms) are accepted', () => {
    const r = parseProject('services:\n  - name: a\n    target: {type: Process, binary: x}\n    restart: {policy: always, backoff: 10ms, max_backoff: 10}\n', FILE, {});
    expect(r.problems).toEqual([]);
    expect(r.config!.services[0].restart).toEqual({ policy: 'always', max_retries: 5, backoff_ms: 10, max_backoff_ms: 10 });
  });

  it.each([
    ['{type: tcp, port: 1}', { interval_ms: 1000, start_interval_ms: 25 }],
    ['{type: tcp, port: 1, start_interval: 50ms}', { interval_ms: 1000, start_interval_ms: 50 }],
    ['{type: tcp, port: 1, interval: 15ms}', { interval_ms: 15, start_interval_ms: 15 }],
    ['{type: tcp, port: 1, interval: 20ms, start_interval: 40ms}', { interval_ms: 20, start_interval_ms: 40 }],
    ['{type: http, port: 1, interval: 5s, start_interval: 10ms}', { interval_ms: 5000, start_interval_ms: 10 }],
    ['{type: command, command: "true", start_interval: 1s}', { interval_ms: 1000, start_interval_ms: 1000 }],
    ['{type: log, pattern: up}', { interval_ms: 1000, start_interval_ms: 25 }],
  ])('health timing %s normalises to %o', (check, timing) => {
    const r = parseProject(`services:\n  - name: a\n    target: {type: Process, binary: x}\n    health_check: ${check}\n`, FILE, {});
    expect(r.problems).toEqual([]);
    expect(r.config!.services[0].health_check).toMatchObject(timing);
  });

  it('tcp health check on Docker defaults to the published host port', () => {
    const text = 'services:\n  - name: w\n    target: {type: Docker, image: x, ports: ["8080:80"]}\n    health_check: {type: tcp}\n';
    expect(parseProject(text, FILE, {}).config!.services[0].health_check).toMatchObject({ type: 'tcp', port: 8080 });
  });
});

describe('interpolation', () => {
  const svc = (target: string) => `services:\n  - name: a\n    target: ${target}\n`;
  const run = (target: string, env: Record<string, string>) => parseProject(svc(target), FILE, env);

  it.each([
    ['{type: Process, binary: "${BIN}"}', { BIN: 'srv' }, 'srv'],
    ['{type: Process, binary: "${BIN:-dflt}"}', {}, 'dflt'],
    ['{type: Process, binary: "${BIN:-dflt}"}', { BIN: '' }, 'dflt'],
    ['{type: Process, binary: "${BIN-dflt}"}', { BIN: '' }, '__EMPTY__'],
    ['{type: Process, binary: "${BIN-dflt}"}', {}, 'dflt'],
    ['{type: Process, binary: "${A:-${B:-deep}}"}', {}, 'deep'],
    ['{type: Process, binary: "pre-${A}-post"}', { A: 'x' }, 'pre-x-post'],
    ['{type: Process, binary: "cost$$5"}', {}, 'cost$5'],
    ['{type: Process, binary: "$HOME"}', { HOME: '/h' }, '$HOME'],
  ] as const)('%s with %j', (target, env, binary) => {
    const r = run(target, env);
    if (binary === '__EMPTY__') {
      expect(r.problems.map((p) => p.message)).toContain('must not be empty');
      return;
    }
    expect(r.problems).toEqual([]);
    expect((r.config!.services[0].target as { binary: string }).binary).toBe(binary);
  });

  it('an interpolated number is accepted where a port is expected', () => {
    const r = run('{type: Process, binary: x, ports: ["${PORT:-7000}"]}', {});
    expect(r.config!.services[0].target.ports).toEqual([7000]);
  });

  it('keys are not interpolated, values in env maps are', () => {
    const r = run('{type: Process, binary: x, env: {"${K}": "${V}"}}', { K: 'k', V: 'v' });
    expect(r.config!.services[0].target.env).toEqual({ '${K}': 'v' });
  });
});

describe('loadProject with .env and the file system', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harness-config-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads .env next to the file; the process environment wins', async () => {
    await fs.writeFile(
      path.join(dir, '.env'),
      '# settings\nBIN=from-dotenv\nexport ARG="two words\\n"\nQ=\'$literal\'\nOVER=dotenv # inline comment\nbroken line\n',
    );
    const file = path.join(dir, 'services.yaml');
    await fs.writeFile(file, 'services:\n  - name: a\n    target: {type: Process, binary: "${BIN}", args: ["${ARG}", "${Q}", "${OVER}"]}\n');
    const r = await loadProject(file, { env: { OVER: 'process' } });
    expect(r.config!.services[0].target).toMatchObject({ binary: 'from-dotenv', args: ['two words\n', '$literal', 'process'] });
    expect(r.problems).toEqual([
      { file: path.join(dir, '.env'), line: 6, column: 1, path: '', message: 'expected KEY=VALUE, got "broken line"', severity: 'warning' },
    ]);
    expect(r.config!.dir).toBe(dir);
    expect(r.config!.services[0].target).toMatchObject({ working_dir: dir });
  });

  it('a missing file is one clear problem', async () => {
    const r = await loadProject(path.join(dir, 'nope.yaml'));
    expect(r.config).toBeNull();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toMatch(/cannot read .*nope\.yaml: file not found/);
  });

  it('a file over the size limit is refused without parsing', async () => {
    const file = path.join(dir, 'services.yaml');
    await fs.writeFile(file, `services: []\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const r = await loadProject(file);
    expect(r.config).toBeNull();
    expect(r.problems[0].message).toContain('larger than 2 MiB');
  });
});
