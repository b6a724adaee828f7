// Compose import of the fixtures in test-fixtures/ (each in the style of a popular real-world
// stack): the services.yaml written validates with the Harness loader, the loss list equals the
// fixture's expected-losses.txt line for line, and the fields that matter carry over.
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerTarget, ProjectConfig, ServiceConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { loadProject } from '../config/load-project.js';
import { importCompose, type ImportResult } from './import-compose.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-fixtures');
const NAMES = readdirSync(FIXTURES).filter((n) => existsSync(path.join(FIXTURES, n, 'docker-compose.yml'))).sort();
// Only what the fixtures' `${VAR}` references may see: the machine's own variables must not
// change the result.
const ENV = { PATH: process.env.PATH };

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'harness-compose-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Imported {
  result: ImportResult;
  config: ProjectConfig;
  text: string;
}

/** Copies the fixture to <tmp>/<n>/<name>/ (the directory name is Compose's project name) and
 * imports it beside the compose file. */
async function importFixture(name: string, opts: { profiles?: string[]; out?: string } = {}, n = Math.random().toString(36).slice(2, 8)): Promise<Imported> {
  const dir = path.join(work, n, name);
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  const target = opts.out ? path.join(work, n, opts.out) : path.join(dir, 'services.yaml');
  if (opts.out) await mkdir(path.dirname(target), { recursive: true });
  const result = await importCompose({ source: path.join(dir, 'docker-compose.yml'), target, profiles: opts.profiles, env: ENV });
  const loaded = await loadProject(target, { env: ENV });
  expect(loaded.problems.filter((p) => p.severity === 'error'), `${name}: the written file has errors`).toEqual([]);
  expect(loaded.config).not.toBeNull();
  return { result, config: loaded.config as ProjectConfig, text: readFileSync(target, 'utf8') };
}

const svc = (c: ProjectConfig, name: string): ServiceConfig => {
  const s = c.services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name} in ${c.services.map((x) => x.name).join(', ')}`);
  return s;
};
const docker = (c: ProjectConfig, name: string): DockerTarget => svc(c, name).target as DockerTarget;

describe('compose import of the fixtures', () => {
  it('has a dozen fixtures', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of NAMES) {
    it(`${name}: validates, and lists exactly the expected losses`, async () => {
      const { result, text } = await importFixture(name);
      expect(result.valid).toBe(true);
      const expected = readFileSync(path.join(FIXTURES, name, 'expected-losses.txt'), 'utf8').split('\n').filter(Boolean);
      expect(result.losses).toEqual(expected);
      // The file says where it came from, and repeats every loss as a comment.
      expect(text).toContain('# Imported from docker-compose.yml by `harness import`');
      for (const l of result.losses) expect(text).toContain(l.slice(l.indexOf(': ') + 2));
    });
  }
});

describe('what carries over', () => {
  it('web app: build, command, working_dir, env with references, ports, volumes, health gating', async () => {
    const { config } = await importFixture('web-postgres-redis');
    const web = docker(config, 'web');
    expect(web.image).toBe('web-postgres-redis-web'); // Compose's <project>-<service> for a build-only service
    expect(web.build?.context).toBe(path.join(path.dirname(config.file), 'web'));
    expect(web.command).toEqual(['npm', 'run', 'dev']);
    expect(web.working_dir).toBe('/usr/src/app');
    expect(web.env.DATABASE_URL).toBe('postgres://app:secret@db:5432/app'); // ${POSTGRES_PASSWORD:-secret}
    expect(web.ports).toEqual(['3000:3000']);
    expect(web.volumes).toEqual([`${path.dirname(config.file)}/web/src:/usr/src/app/src`, 'node_modules:/usr/src/app/node_modules']);
    expect(svc(config, 'web').dependencies).toEqual(['db', 'cache']);
    expect(svc(config, 'web').restart.policy).toBe('on-failure');
    const db = svc(config, 'db');
    expect(db.health_check).toMatchObject({ type: 'command', command: ['sh', '-c', 'pg_isready -U app -d app'], interval_ms: 5000, timeout_ms: 5000, retries: 5 });
    expect(svc(config, 'cache').health_check).toMatchObject({ type: 'command', command: ['redis-cli', 'ping'], interval_ms: 10_000 });
    expect(docker(config, 'db').ports).toEqual(['127.0.0.1:5432:5432']);
  });

  it('queue: shell-split commands, on-failure:N, unless-stopped, stop signal and grace', async () => {
    const { config } = await importFixture('queue-workers');
    expect(docker(config, 'producer').command).toEqual(['python', '-u', 'producer.py', '--broker', 'amqp://guest:guest@rabbitmq:5672/', '--rate', '10']);
    expect(svc(config, 'producer').restart).toMatchObject({ policy: 'on-failure', max_retries: 5 });
    const email = svc(config, 'worker-email');
    expect(email.restart.policy).toBe('always');
    expect(email.stop_signal).toBe('SIGINT');
    expect(email.stop_grace_period_ms).toBe(30_000);
    expect(email.dependencies).toEqual(['rabbitmq', 'kafka']);
    expect(svc(config, 'worker-reports').stop_grace_period_ms).toBe(90_000);
    expect(svc(config, 'rabbitmq').health_check).toMatchObject({ command: ['sh', '-c', 'rabbitmq-diagnostics -q ping'], start_period_ms: 20_000 });
    expect(docker(config, 'kafka').env.KAFKA_BROKER_ID).toBe('1');
  });

  it('monitoring: flag lists, absolute binds, $$ kept for the container', async () => {
    const { config } = await importFixture('monitoring');
    expect(docker(config, 'nodeexporter').command?.[3]).toBe('--collector.filesystem.mount-points-exclude=^/(sys|proc|dev|host|etc)($|/)');
    expect(docker(config, 'nodeexporter').volumes).toEqual(['/proc:/host/proc:ro', '/sys:/host/sys:ro', '/:/rootfs:ro']);
    expect(docker(config, 'grafana').env.GF_SECURITY_ADMIN_USER).toBe('admin');
    expect(svc(config, 'prometheus').restart.policy).toBe('always');
  });

  it('microservices: every depends_on condition becomes a dependency; start_interval carries over', async () => {
    const { config } = await importFixture('microservices');
    expect(config.name).toBe('shopdemo');
    expect(svc(config, 'catalog').dependencies).toEqual(['postgres', 'migrate']);
    expect(svc(config, 'cart').dependencies).toEqual(['redis', 'catalog']);
    expect(svc(config, 'recommendations').dependencies).toEqual(['catalog', 'tracing']);
    expect(svc(config, 'gateway').dependencies).toEqual(['catalog', 'cart', 'recommendations']);
    expect(svc(config, 'postgres').health_check).toMatchObject({ start_interval_ms: 500, interval_ms: 2000, retries: 15 });
    expect(svc(config, 'gateway').restart).toMatchObject({ policy: 'on-failure', max_retries: 3 });
  });

  it('anchors and merge keys expand; x- fields are kept', async () => {
    const { config, text } = await importFixture('anchors-extensions');
    expect(docker(config, 'scheduler').env).toEqual({ LOG_LEVEL: 'debug', SCHEDULE_TZ: 'UTC', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' });
    expect(svc(config, 'api').health_check).toMatchObject({ command: ['/app/healthcheck'], interval_ms: 5000, timeout_ms: 2000, retries: 10 });
    expect(svc(config, 'worker').restart.policy).toBe('always');
    expect(docker(config, 'worker').command).toEqual(['work', '--threads', '']); // $THREADS → ${THREADS}, unset here
    expect(text).toMatch(/^ {4}x-team: payments$/m);
    expect(text).toMatch(/^x-logging:$/m);
  });

  it('env_file values are inlined (single quotes literal), environment wins; long port and volume syntax', async () => {
    const { config } = await importFixture('env-file-long-syntax');
    const api = docker(config, 'api');
    expect(api.env).toEqual({
      TZ: 'UTC',
      GREETING: 'hello world',
      PRICE: '$5 flat',
      API_KEY: 'dev-key-123',
      LOG_LEVEL: 'warn',
      DB_URL: 'postgres://db:5432/api',
    });
    expect(api.ports).toEqual(['127.0.0.1:18080:8080', '19090:9090', '1053:53/udp', '127.0.0.1::7000']);
    const dir = path.dirname(config.file);
    expect(api.volumes).toEqual([`${dir}/config:/etc/api:ro`, 'cache:/var/cache/api', '/scratch', `${dir}/logs:/var/log/api`]);
    expect(docker(config, 'sidecar').command).toEqual(['sh', '-c', 'while true; do echo "tick $(date)"; sleep 5; done']);
    expect(docker(config, 'sidecar').volumes).toEqual(['cache:/cache:ro']);
  });

  it('build contexts: dockerfile, entrypoint (and an empty one), build-only image names', async () => {
    const { config } = await importFixture('build-contexts');
    const dir = path.dirname(config.file);
    expect(docker(config, 'api').build).toEqual({ context: path.join(dir, 'api'), dockerfile: 'Dockerfile.dev' });
    expect(docker(config, 'api').image).toBe('example/api:dev');
    expect(docker(config, 'worker').image).toBe('build-contexts-worker');
    expect(docker(config, 'frontend').entrypoint).toEqual(['/docker-entrypoint.sh']);
    expect(docker(config, 'frontend').command).toEqual(['npm', 'run', 'dev', '--', '--host']);
    expect(docker(config, 'tools').entrypoint).toEqual([]);
    expect(docker(config, 'tools').build).toBeUndefined();
    expect(config.services.map((s) => s.name)).not.toContain('docs');
  });

  it('swarm stack: file secrets become read-only mounts, deploy.restart_policy a fixed delay', async () => {
    const { config } = await importFixture('swarm-losses');
    const dir = path.dirname(config.file);
    expect(docker(config, 'api').volumes).toEqual([`${dir}/secrets/db_password.txt:/run/secrets/db_password:ro`]);
    expect(svc(config, 'api').restart).toMatchObject({ policy: 'on-failure', max_retries: 3, backoff_ms: 5000, max_backoff_ms: 5000 });
    expect(docker(config, 'proxy').ports).toEqual(['80:80', '8000:8000']);
    expect(svc(config, 'proxy').stop_signal).toBe('SIGTERM');
  });

  it('extends: the base merges under the service; volumes by container path; another file is reported', async () => {
    const { config } = await importFixture('extends-legacy');
    const dir = path.dirname(config.file);
    expect(docker(config, 'web').env).toEqual({ DJANGO_SETTINGS_MODULE: 'app.settings', DATABASE_URL: 'postgres://postgres@db/app', DEBUG: '1' });
    expect(docker(config, 'web').working_dir).toBe('/code');
    expect(docker(config, 'web').ports).toEqual(['8000:8000']);
    expect(docker(config, 'web').command).toEqual(['python', 'manage.py', 'runserver', '0.0.0.0:']);
    expect(svc(config, 'web').dependencies).toEqual(['db']);
    expect(docker(config, 'worker').volumes).toEqual([`${dir}:/code`, `${dir}/worker-static:/code/static`]);
    expect(docker(config, 'beat').command).toEqual(['celery', '-A', 'app', 'beat']);
    expect(docker(config, 'beat').env).toEqual({});
  });

  it('minimal: one image, one port, nothing lost', async () => {
    const { config, result, text } = await importFixture('minimal');
    expect(result.losses).toEqual([]);
    expect(docker(config, 'web')).toMatchObject({ image: 'nginx:1.27-alpine', ports: ['8080:80'] });
    expect(text).toContain('# Nothing was lost in the conversion.');
  });
});

describe('profiles', () => {
  it('leaves profile-only services out by default, and imports those of --profile', async () => {
    const plain = await importFixture('profiles');
    expect(plain.config.services.map((s) => s.name)).toEqual(['app', 'db']);
    const debug = await importFixture('profiles', { profiles: ['debug'] });
    expect(debug.config.services.map((s) => s.name)).toEqual(['app', 'db', 'adminer', 'mailhog']);
    expect(svc(debug.config, 'app').dependencies).toEqual(['db', 'mailhog']);
    expect(debug.result.losses).toEqual([
      'docker-compose.yml:15: services.adminer.profiles: approximated: imported for profile(s) debug; Harness has no profiles, so it starts with the rest of the stack',
      'docker-compose.yml:20: services.mailhog.profiles: approximated: imported for profile(s) debug; Harness has no profiles, so it starts with the rest of the stack',
      'docker-compose.yml:24: services.loadtest.profiles: not converted: only in profile(s) bench, which were not selected: the service is not imported (import it with --profile bench)',
    ]);
    const all = await importFixture('profiles', { profiles: ['*'] });
    expect(all.config.services.map((s) => s.name)).toEqual(['app', 'db', 'adminer', 'mailhog', 'loadtest']);
    expect(docker(all.config, 'loadtest').volumes).toEqual([`${path.dirname(all.config.file)}/scripts:/scripts:ro`]);
  });
});

describe('writing elsewhere', () => {
  it('rebases relative paths to the new file and says the .env stays behind', async () => {
    const n = 'rebase';
    await mkdir(path.join(work, n, 'web-postgres-redis'), { recursive: true });
    await writeFile(path.join(work, n, 'web-postgres-redis', '.env'), 'POSTGRES_PASSWORD=fromdotenv\n');
    const { config, result, text } = await importFixture('web-postgres-redis', { out: 'out/deep/services.yaml' }, n);
    expect(text).toContain('build: ../../web-postgres-redis/web');
    expect(docker(config, 'web').build?.context).toBe(path.join(work, n, 'web-postgres-redis', 'web'));
    expect(docker(config, 'web').volumes[0]).toBe(`${path.join(work, n, 'web-postgres-redis', 'web', 'src')}:/usr/src/app/src`);
    expect(result.losses).toEqual([
      `docker-compose.yml: .env: not converted: the .env beside docker-compose.yml is not beside the new services.yaml; Harness reads ${path.join(work, n, 'out', 'deep', '.env')} for \${VAR} references — copy it there`,
    ]);
  });
});

describe('refusals and errors', () => {
  it('refuses to overwrite an existing file unless forced', async () => {
    const dir = path.join(work, 'exists');
    cpSync(path.join(FIXTURES, 'minimal'), dir, { recursive: true });
    await writeFile(path.join(dir, 'services.yaml'), 'services: {}\n');
    const args = { source: path.join(dir, 'docker-compose.yml'), target: path.join(dir, 'services.yaml'), env: ENV };
    await expect(importCompose(args)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(readFileSync(args.target, 'utf8')).toBe('services: {}\n');
    const forced = await importCompose({ ...args, force: true });
    expect(forced.services).toEqual(['web']);
    expect(readFileSync(args.target, 'utf8')).toContain('nginx:1.27-alpine');
  });

  it('names the line of a YAML error, and a file without services', async () => {
    const dir = path.join(work, 'broken');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'bad.yml'), 'services:\n  web:\n    image: [nginx\n');
    const err = await importCompose({ source: path.join(dir, 'bad.yml'), target: path.join(dir, 'a.yaml'), env: ENV }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('CONFIG_INVALID');
    expect((err as HarnessError).message).toMatch(/^bad\.yml:\d+: YAML syntax error/);
    await writeFile(path.join(dir, 'none.yml'), 'version: "3"\nvolumes: {}\n');
    await expect(importCompose({ source: path.join(dir, 'none.yml'), target: path.join(dir, 'b.yaml'), env: ENV })).rejects.toThrow(
      'none.yml:1: no "services": this is not a Compose file',
    );
    await expect(importCompose({ source: path.join(dir, 'missing.yml'), target: path.join(dir, 'c.yaml'), env: ENV })).rejects.toThrow(/not found/);
    expect(existsSync(path.join(dir, 'a.yaml')) || existsSync(path.join(dir, 'b.yaml'))).toBe(false);
  });

  it('renames services Harness cannot name, and keeps their dependents pointing at them', async () => {
    const dir = path.join(work, 'names');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'docker-compose.yml'),
      ['services:', '  1cache:', '    image: redis:7', '  my-api:', '    image: a', '  my_api:', '    image: b', '    links: ["1cache:cache"]', ''].join('\n'),
    );
    const r = await importCompose({ source: path.join(dir, 'docker-compose.yml'), target: path.join(dir, 'services.yaml'), env: ENV });
    expect(r.valid).toBe(true);
    expect(r.services).toEqual(['svc-1cache', 'my-api', 'my_api-2']);
    const loaded = await loadProject(r.file, { env: ENV });
    expect(svc(loaded.config as ProjectConfig, 'my_api-2').dependencies).toEqual(['svc-1cache']);
    expect(r.losses).toEqual([
      'docker-compose.yml:2: services.1cache: approximated: renamed to "svc-1cache": a Harness name starts with a letter and has letters, digits, "_", "." or "-"',
      'docker-compose.yml:6: services.my_api: approximated: renamed to "my_api-2": its variables (MY_API_ADDR) would collide with another service\'s',
      'docker-compose.yml:8: services.my_api.links[0]: not converted: alias "cache": containers reach svc-1cache by its service name only',
    ]);
  });
});
