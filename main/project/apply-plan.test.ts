import { describe, expect, it } from 'vitest';
import type { ProjectConfig, ServiceConfig } from '../../shared/config-types.js';
import { mixConfig, pendingChanges, sameProject } from './apply-plan.js';

function svc(name: string, deps: string[] = [], arg = 'v1'): ServiceConfig {
  return {
    name,
    target: { type: 'Process', binary: 'node', args: [arg], env: {}, working_dir: '/p', ports: [] },
    dependencies: deps,
    restart: { policy: 'no', max_retries: 0, backoff_ms: 0, max_backoff_ms: 0 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 1000,
  };
}
const project = (services: ServiceConfig[], name = 'p'): ProjectConfig => ({ name, file: '/p/services.yaml', dir: '/p', services });
const args = (p: ProjectConfig) => Object.fromEntries(p.services.map((s) => [s.name, s.target.type === 'Process' ? s.target.args[0] : '']));

describe('apply plan', () => {
  const applied = project([svc('db'), svc('api', ['db']), svc('old')]);
  const saved = project([svc('db', [], 'v2'), svc('api', ['db'], 'v2'), svc('new', ['db'])]);

  it('running services keep their config and are reported; stopped ones take the file', () => {
    const running = new Set(['api', 'old']);
    const mix = mixConfig(applied, saved, (n) => running.has(n), new Set());
    expect(args(mix)).toEqual({ db: 'v2', api: 'v1', new: 'v1', old: 'v1' });
    expect(pendingChanges(applied, saved, (n) => running.has(n))).toEqual({ changed: ['api'], removed: ['old'] });
  });

  it('forcing one service gives it the file config; forcing a removed one drops it', () => {
    const running = new Set(['db', 'api', 'old']);
    expect(args(mixConfig(applied, saved, (n) => running.has(n), new Set(['api'])))).toEqual({ db: 'v1', api: 'v2', new: 'v1', old: 'v1' });
    expect(Object.keys(args(mixConfig(applied, saved, (n) => running.has(n), new Set(['old']))))).toEqual(['db', 'api', 'new']);
    expect(args(mixConfig(applied, saved, () => true, 'all'))).toEqual(args(saved));
  });

  it('a kept service keeps the dependencies its old config names, even when the file dropped them', () => {
    const a = project([svc('cache'), svc('web', ['cache'])]);
    const s = project([svc('web', [], 'v2')]);
    const mix = mixConfig(a, s, (n) => n === 'web', new Set());
    expect(mix.services.map((x) => x.name).sort()).toEqual(['cache', 'web']);
    expect(args(mix).web).toBe('v1');
  });

  it('a mix that would close a cycle keeps the old config of the service in it', () => {
    const a = project([svc('x'), svc('y', ['x'])]);
    // The file turned the edge around; y keeps running, x is stopped.
    const s = project([svc('x', ['y']), svc('y')]);
    const mix = mixConfig(a, s, (n) => n === 'y', new Set());
    expect(mix.services.find((m) => m.name === 'x')!.dependencies).toEqual([]);
    expect(mix.services.find((m) => m.name === 'y')!.dependencies).toEqual(['x']);
  });

  it('refuses a partial apply that cannot avoid a cycle', () => {
    const a = project([svc('x'), svc('y', ['x'])]);
    const s = project([svc('x', ['y']), svc('y')]);
    expect(() => mixConfig(a, s, () => true, new Set(['x']))).toThrow(/dependency cycle.*apply them together/);
  });

  it('keeps the project name while old services still run', () => {
    const a = project([svc('a')], 'before');
    const s = project([svc('a', [], 'v2')], 'after');
    expect(mixConfig(a, s, () => true, new Set()).name).toBe('before');
    expect(mixConfig(a, s, () => false, new Set()).name).toBe('after');
  });

  it('positions alone are no change', () => {
    const moved = { ...svc('db'), ui: { position: { x: 1, y: 2 } } };
    expect(sameProject(project([svc('db')]), project([moved]))).toBe(true);
    expect(pendingChanges(project([svc('db')]), project([moved]), () => true).changed).toEqual([]);
  });
});
