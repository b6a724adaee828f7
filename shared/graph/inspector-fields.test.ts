import { describe, expect, it } from 'vitest';
import type { RawService } from '../api.js';
import { editsFromForm, fieldKey, formFromRaw, targetTypeOf, TARGET_FIELDS, visibleFields, type InspectorForm } from './inspector-fields.js';
import { serviceViews, viewsToGraph } from './service-views.js';

const api: RawService = {
  name: 'api',
  target: { type: 'Process', binary: 'node', args: ['api.mjs'], env: { PORT: '${API_PORT:-7002}', MODE: 'dev' }, ports: ['${API_PORT:-7002}'] },
  dependencies: ['store'],
  health_check: { type: 'http', path: '/health', interval: '100ms' },
  restart: 'on-failure',
};

function edit(raw: RawService, change: (f: InspectorForm) => void) {
  const initial = formFromRaw(String(raw.name), raw, (raw.dependencies as string[]) ?? []);
  const form: InspectorForm = structuredClone(initial);
  change(form);
  const r = editsFromForm({ service: String(raw.name), raw, initial, form });
  if (!r.ok) throw new Error(r.reason);
  return r.edits;
}

describe('inspector form', () => {
  it('reads every field of the target type, the health check and restart as written', () => {
    const f = formFromRaw('api', api, ['store']);
    expect(f.values['target.binary']).toBe('node');
    expect(f.values['target.args']).toEqual(['api.mjs']);
    expect(f.values['target.env']).toEqual([['PORT', '${API_PORT:-7002}'], ['MODE', 'dev']]);
    expect(f.values['target.ports']).toEqual(['${API_PORT:-7002}']);
    expect(f.health).toBe('http');
    expect(f.values['health_check.path']).toBe('/health');
    expect(f.values['health_check.interval']).toBe('100ms');
    expect(f.values['restart.policy']).toBe('on-failure');
    expect(visibleFields('Process', 'http').target.map((x) => fieldKey(x.path))).toEqual(['target.binary', 'target.args', 'target.env', 'target.working_dir', 'target.ports']);
    expect(TARGET_FIELDS.Docker.map((x) => x.path[1])).toEqual(['image', 'entrypoint', 'command', 'working_dir', 'env', 'ports', 'volumes']);
  });

  it('no change, no edits', () => {
    expect(edit(api, () => undefined)).toEqual([]);
  });

  it('one setField per changed field; lists and numbers as YAML values', () => {
    const edits = edit(api, (f) => {
      f.values['target.args'] = ['api.mjs', '--verbose', ''];
      f.values['target.ports'] = ['7002', '${X}'];
      f.values['health_check.retries'] = '5';
    });
    expect(edits).toEqual([
      { op: 'setField', service: 'api', path: ['target', 'args'], value: ['api.mjs', '--verbose'] },
      { op: 'setField', service: 'api', path: ['target', 'ports'], value: [7002, '${X}'] },
      { op: 'setField', service: 'api', path: ['health_check', 'retries'], value: 5 },
    ]);
  });

  it('environment rows become per-variable edits (others untouched); an emptied optional field is removed', () => {
    const edits = edit(api, (f) => {
      f.values['target.env'] = [['PORT', '${API_PORT:-7002}'], ['DEBUG', '1']];
      f.values['target.binary'] = '  ';
      f.values['target.working_dir'] = '';
    });
    expect(edits).toEqual([
      // Required: emptied, it stays as "" so the loader reports it at this field.
      { op: 'setField', service: 'api', path: ['target', 'binary'], value: '' },
      { op: 'setField', service: 'api', path: ['target', 'env', 'MODE'], value: null },
      { op: 'setField', service: 'api', path: ['target', 'env', 'DEBUG'], value: '1' },
    ]);
  });

  it('a new health check type is written whole; none removes it', () => {
    expect(
      edit(api, (f) => {
        f.health = 'log';
        f.values['health_check.pattern'] = 'listening';
      }),
    ).toEqual([{ op: 'setField', service: 'api', path: ['health_check'], value: { type: 'log', pattern: 'listening', interval: '100ms' } }]);
    expect(edit(api, (f) => void (f.health = 'none'))).toEqual([{ op: 'setField', service: 'api', path: ['health_check'], value: null }]);
  });

  it('restart keeps its short form while only the policy changes, and becomes a map otherwise', () => {
    expect(edit(api, (f) => void (f.values['restart.policy'] = 'always'))).toEqual([{ op: 'setField', service: 'api', path: ['restart'], value: 'always' }]);
    expect(edit(api, (f) => void (f.values['restart.max_retries'] = '2'))).toEqual([
      { op: 'setField', service: 'api', path: ['restart'], value: { policy: 'on-failure', max_retries: 2 } },
    ]);
  });

  it('dependencies and the name: removals, additions, then the rename last', () => {
    const edits = edit(api, (f) => {
      f.dependencies = ['cache'];
      f.name = 'gateway';
      f.values['target.args'] = ['gw.mjs'];
    });
    expect(edits.map((e) => e.op)).toEqual(['setField', 'removeDependency', 'addDependency', 'renameService']);
    expect(edits.at(-1)).toEqual({ op: 'renameService', name: 'api', to: 'gateway' });
  });

  it('a command written as a list stays a list; a shell string stays a string', () => {
    const list: RawService = { name: 'db', target: { type: 'Docker', image: 'pg' }, health_check: { type: 'command', command: ['pg_isready', '-q'] } };
    expect(edit(list, (f) => void (f.values['health_check.command'] = "pg_isready -h '127.0.0.1'"))).toEqual([
      { op: 'setField', service: 'db', path: ['health_check', 'command'], value: ['pg_isready', '-h', '127.0.0.1'] },
    ]);
    const shell: RawService = { ...list, health_check: { type: 'command', command: 'pg_isready' } };
    expect(edit(shell, (f) => void (f.values['health_check.command'] = 'pg_isready -q'))).toEqual([
      { op: 'setField', service: 'db', path: ['health_check', 'command'], value: 'pg_isready -q' },
    ]);
  });

  it('Docker build: a context alone stays a string; with a Dockerfile it becomes a map', () => {
    const web: RawService = { name: 'web', target: { type: 'Docker', image: 'web:dev', build: './web' } };
    expect(formFromRaw('web', web, []).values['target.build.context']).toBe('./web');
    expect(edit(web, (f) => void (f.values['target.build.dockerfile'] = 'Dockerfile.dev'))).toEqual([
      { op: 'setField', service: 'web', path: ['target', 'build'], value: { context: './web', dockerfile: 'Dockerfile.dev' } },
    ]);
  });

  it('merge keys are resolved for display; a changed field is written into the entry itself', () => {
    const merged: RawService = { name: 'w', '<<': { restart: 'always' }, target: { '<<': { type: 'Process', binary: 'node' }, args: ['w.js'] } };
    const f = formFromRaw('w', merged, []);
    expect([targetTypeOf(merged), f.values['target.binary'], f.values['restart.policy']]).toEqual(['Process', 'node', 'always']);
    expect(edit(merged, (x) => void (x.values['target.binary'] = 'deno'))).toEqual([{ op: 'setField', service: 'w', path: ['target', 'binary'], value: 'deno' }]);
  });
});

describe('service views', () => {
  it('valid and invalid services in file order, each with its problems; the graph draws all of them', () => {
    const views = serviceViews({
      services: [
        {
          config: {
            name: 'a',
            target: { type: 'Process', binary: 'node', args: [], env: {}, working_dir: '/p', ports: [] },
            dependencies: [],
            restart: { policy: 'no', max_retries: 0, backoff_ms: 0, max_backoff_ms: 0 },
            stop_signal: 'SIGTERM',
            stop_grace_period_ms: 1,
          },
          state: { name: 'a', type: 'Process', status: 'stopped', restarts: 0, updatedAt: 0 },
          path: 'services[1]',
          index: 1,
          changed: true,
        },
      ],
      invalid: [{ name: 'web', path: 'services[0]', index: 0, type: 'Docker', dependencies: ['a', 'gone'], raw: { name: 'web', target: { type: 'Docker', image: '' } }, state: { name: 'web', type: 'Docker', status: 'stopped', restarts: 0, updatedAt: 0 } }],
      problems: [{ file: 'f', line: 3, column: 5, path: 'services[0].target.image', message: 'must not be empty', severity: 'error' }],
    });
    expect(views.map((v) => [v.name, v.problems.length, v.changed])).toEqual([
      ['web', 1, false],
      ['a', 0, true],
    ]);
    const g = viewsToGraph(views);
    expect(g.nodes.map((n) => [n.id, n.kind, n.summary.errors, n.summary.invalid, n.summary.changed])).toEqual([
      ['web', 'docker', 1, true, undefined],
      ['a', 'process', undefined, undefined, true],
    ]);
    expect(g.edges.map((e) => e.id)).toEqual(['a->web']);
  });
});
