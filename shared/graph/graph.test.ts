import { describe, expect, it } from 'vitest';
import type { ServiceConfig, ServiceTarget } from '../config-types.js';
import { addServiceEdits, connectEdits, disconnectEdits, moveEdits, removeServicesEdits, uniqueServiceName } from './edit-builders.js';
import { configToGraph } from './graph-model.js';
import { dependencyClosure, dependencyMap, dependentsClosure } from './closures.js';
import { joinArgs, problemsForService, rawAt, serviceToRaw, setFieldEdits, splitArgs } from './inspector-form.js';
import { API_PARAM_SCHEMAS, fieldPathProblem } from '../api.js';
import { checkPayload } from '../payload-schema.js';

function svc(name: string, dependencies: string[] = [], extra: Partial<ServiceConfig> = {}): ServiceConfig {
  const target: ServiceTarget = { type: 'Process', binary: 'node', args: ['x.js'], env: {}, working_dir: '/tmp', ports: [17100] };
  return {
    name,
    target,
    dependencies,
    restart: { policy: 'no', max_retries: 0, backoff_ms: 0, max_backoff_ms: 0 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 1000,
    ...extra,
  };
}

describe('configToGraph', () => {
  it('makes one node per service and an edge from each dependency to its dependent', () => {
    const g = configToGraph([svc('store'), svc('api', ['store']), svc('web', ['api', 'store'])]);
    expect(g.nodes.map((n) => n.id)).toEqual(['store', 'api', 'web']);
    expect(g.edges.map((e) => e.id).sort()).toEqual(['api->web', 'store->api', 'store->web']);
    expect(g.nodes[0]).toMatchObject({ kind: 'process', summary: { detail: 'node x.js', ports: ['17100'] } });
  });

  it('skips unknown and duplicate dependencies instead of drawing dangling edges', () => {
    const g = configToGraph([svc('api', ['ghost', 'store', 'store']), svc('store')]);
    expect(g.edges).toEqual([{ id: 'store->api', source: 'store', target: 'api' }]);
  });

  it('keeps saved positions and asks for layout only when one is missing', () => {
    const placed = svc('a', [], { ui: { position: { x: 10, y: 20 } } });
    expect(configToGraph([placed]).needsLayout).toBe(false);
    expect(configToGraph([placed]).nodes[0].position).toEqual({ x: 10, y: 20 });
    expect(configToGraph([placed, svc('b')]).needsLayout).toBe(true);
  });

  it('maps every target type to its node kind and summary', () => {
    const docker: ServiceConfig = { ...svc('db'), target: { type: 'Docker', image: 'postgres:16', env: {}, ports: ['5432:5432'], volumes: [] } };
    const lan: ServiceConfig = { ...svc('edge'), target: { type: 'RemoteLan', host: 'pi', user: 'u', binary: 'srv', args: [], env: {}, ssh_port: 22, ports: [] } };
    const wg: ServiceConfig = { ...svc('far'), target: { type: 'Wireguard', host: '10.0.0.2', user: 'u', package: '/p/app.tar.gz', env: {}, ssh_port: 22, ports: [] } };
    const g = configToGraph([docker, lan, wg]);
    expect(g.nodes.map((n) => [n.kind, n.summary.detail])).toEqual([
      ['docker', 'postgres:16'],
      ['remote-lan', 'u@pi: srv'],
      ['wireguard', 'u@10.0.0.2: app.tar.gz'],
    ]);
  });
});

describe('dependency closures', () => {
  const deps = dependencyMap([svc('store'), svc('api', ['store']), svc('web', ['api']), svc('worker', ['api']), svc('lone')]);
  it('start with dependencies includes the transitive dependencies', () => {
    expect(dependencyClosure('web', deps).sort()).toEqual(['api', 'store', 'web']);
  });
  it('dependents are found transitively', () => {
    expect(dependentsClosure('store', deps).sort()).toEqual(['api', 'web', 'worker']);
    expect(dependentsClosure('lone', deps)).toEqual([]);
  });
});

describe('edits from graph gestures', () => {
  const deps = dependencyMap([svc('store'), svc('api', ['store']), svc('web', ['api'])]);

  it('connecting source to target adds a dependency of target on source', () => {
    expect(connectEdits('store', 'web', deps)).toEqual({ ok: true, edits: [{ op: 'addDependency', service: 'web', dependency: 'store' }] });
  });

  it('refuses self loops, duplicates, unknown services and cycles with a reason', () => {
    expect(connectEdits('api', 'api', deps)).toMatchObject({ ok: false, reason: expect.stringContaining('itself') });
    expect(connectEdits('store', 'api', deps)).toMatchObject({ ok: false, reason: expect.stringContaining('already') });
    expect(connectEdits('ghost', 'api', deps)).toMatchObject({ ok: false, reason: expect.stringContaining('ghost') });
    expect(connectEdits('web', 'store', deps)).toMatchObject({ ok: false, reason: expect.stringContaining('cycle') });
  });

  it('disconnecting and moving produce the matching edits, positions rounded', () => {
    expect(disconnectEdits({ source: 'store', target: 'api' })).toEqual([{ op: 'removeDependency', service: 'api', dependency: 'store' }]);
    expect(moveEdits([{ id: 'api', position: { x: 10.6, y: -3.2 } }])).toEqual([{ op: 'setPosition', service: 'api', x: 11, y: -3 }]);
  });

  it('adding from the palette picks a free name and yields edits the API accepts', () => {
    const { name, edits } = addServiceEdits('Docker', ['docker', 'docker-2'], { x: 5, y: 6 });
    expect(name).toBe('docker-3');
    expect(checkPayload(API_PARAM_SCHEMAS['project.edit'], { edits })).toEqual([]);
    expect(edits[1]).toEqual({ op: 'setPosition', service: 'docker-3', x: 5, y: 6 });
    for (const type of ['Process', 'RemoteLan', 'Wireguard'] as const) {
      expect(checkPayload(API_PARAM_SCHEMAS['project.edit'], { edits: addServiceEdits(type, [], { x: 0, y: 0 }).edits })).toEqual([]);
    }
  });

  it('uniqueServiceName makes valid names from anything', () => {
    expect(uniqueServiceName('9 bad name!', [])).toBe('bad-name-');
    expect(uniqueServiceName('***', [])).toBe('service');
    expect(uniqueServiceName('api', ['api'])).toBe('api-2');
  });
});

describe('removeServicesEdits', () => {
  it('takes the service out of its dependents first, then removes it', () => {
    const deps = dependencyMap([svc('store'), svc('api', ['store']), svc('web', ['api', 'store'])]);
    expect(removeServicesEdits(['store'], deps)).toEqual([
      { op: 'removeDependency', service: 'api', dependency: 'store' },
      { op: 'removeDependency', service: 'web', dependency: 'store' },
      { op: 'removeService', name: 'store' },
    ]);
  });

  it('does not edit services that are removed too, and ignores unknown names', () => {
    const deps = dependencyMap([svc('store'), svc('api', ['store'])]);
    expect(removeServicesEdits(['store', 'api', 'ghost'], deps)).toEqual([
      { op: 'removeService', name: 'store' },
      { op: 'removeService', name: 'api' },
    ]);
  });
});

describe('serviceToRaw', () => {
  it('writes a loaded service back in YAML form, durations in milliseconds', () => {
    const s = svc('api', ['store'], {
      health_check: { type: 'http', url: 'http://127.0.0.1:1/health', expect_status: 200, interval_ms: 100, timeout_ms: 1000, retries: 3, start_period_ms: 0 },
      ui: { position: { x: 1, y: 2 } },
    });
    const raw = serviceToRaw(s);
    expect(raw).toMatchObject({
      name: 'api',
      target: { type: 'Process', binary: 'node', args: ['x.js'] },
      dependencies: ['store'],
      health_check: { type: 'http', url: 'http://127.0.0.1:1/health', interval: 100, timeout: 1000, start_period: 0 },
      restart: { policy: 'no', backoff: 0, max_backoff: 0 },
      stop_grace_period: 1000,
      ui: { position: { x: 1, y: 2 } },
    });
    expect(JSON.stringify(raw)).not.toContain('_ms');
    // It passes the contract's payload schema for updateService.
    expect(checkPayload(API_PARAM_SCHEMAS['project.edit'], { edits: [{ op: 'updateService', name: 'api', service: raw }] })).toEqual([]);
  });
});

describe('splitArgs / joinArgs', () => {
  it('splits words and quotes like a shell', () => {
    expect(splitArgs(`-e "console.log('a b')" 'x y' z\\ w ''`)).toEqual({ ok: true, args: ['-e', "console.log('a b')", 'x y', 'z w', ''] });
    expect(splitArgs('  ')).toEqual({ ok: true, args: [] });
  });

  it('reports an unclosed quote', () => {
    expect(splitArgs('a "b')).toEqual({ ok: false, reason: 'unclosed " quote' });
  });

  it('round-trips any argument list', () => {
    const lists = [['a'], ['a b', "it's", '', '$HOME', '"q"'], ['-e', "setInterval(() => console.log('tick'), 1000)"]];
    for (const args of lists) expect(splitArgs(joinArgs(args))).toEqual({ ok: true, args });
  });
});

describe('problemsForService', () => {
  const problems = [
    { path: 'services[1].target.binary', message: 'a' },
    { path: 'services[10].target', message: 'b' },
    { path: 'services.api.dependencies[0]', message: 'c' },
    { path: 'services.apix', message: 'd' },
    { path: 'name', message: 'e' },
  ];
  it('keeps the problems under the service by list index or by map key', () => {
    expect(problemsForService(problems, 'api', 1).map((p) => p.message)).toEqual(['a', 'c']);
    expect(problemsForService(problems, 'web', -1)).toEqual([]);
  });
});

describe('setFieldEdits / rawAt', () => {
  const raw = {
    name: 'api',
    target: { type: 'Process', binary: 'node', args: ['api.mjs'], env: { PORT: '${API_PORT:-1}' }, ports: ['${API_PORT:-1}'] },
    restart: { policy: 'on-failure' },
  };

  it('reads a value at a path, undefined when a step is missing or of the other kind', () => {
    expect(rawAt(raw, ['target', 'env', 'PORT'])).toBe('${API_PORT:-1}');
    expect(rawAt(raw, ['target', 'args', 0])).toBe('api.mjs');
    expect(rawAt(raw, ['target', 'args', 'length'])).toBeUndefined();
    expect(rawAt(raw, ['target', 'constructor'])).toBeUndefined();
    expect(rawAt(raw, ['health_check', 'type'])).toBeUndefined();
  });

  it('sends one setField per changed field only, and null for a removed one', () => {
    const edits = setFieldEdits('api', raw, [
      { path: ['target', 'binary'], value: 'node' },
      { path: ['target', 'args'], value: ['api.mjs', '--verbose'] },
      { path: ['target', 'ports'], value: ['${API_PORT:-1}'] },
      { path: ['restart', 'policy'], value: 'always' },
      { path: ['target', 'env'], value: undefined },
      { path: ['health_check'], value: undefined },
    ]);
    expect(edits).toEqual([
      { op: 'setField', service: 'api', path: ['target', 'args'], value: ['api.mjs', '--verbose'] },
      { op: 'setField', service: 'api', path: ['restart', 'policy'], value: 'always' },
      { op: 'setField', service: 'api', path: ['target', 'env'], value: null },
    ]);
    expect(checkPayload(API_PARAM_SCHEMAS['project.edit'], { edits })).toEqual([]);
  });
});

describe('setField payload checks', () => {
  const edit = (path: unknown, value: unknown = 1) => ({ edits: [{ op: 'setField', service: 'api', path, value }] });
  it('the schema bounds the path and the value; fieldPathProblem checks each item', () => {
    const schema = API_PARAM_SCHEMAS['project.edit'];
    expect(checkPayload(schema, edit(['target', 'args', 0]))).toEqual([]);
    expect(checkPayload(schema, edit(Array(9).fill('a')))[0]).toMatch(/more than 8 items/);
    expect(checkPayload(schema, edit('target'))[0]).toMatch(/expected an array/);
    expect(checkPayload(schema, edit(['x'.repeat(100)]))[0]).toMatch(/path\[0\]: expected a field name or a list index/);
    expect(checkPayload(schema, { edits: [{ op: 'setField', service: 'api', path: ['x'] }] })[0]).toMatch(/value: required/);
    expect(fieldPathProblem(['target', 'env', 'PORT'])).toBeNull();
    expect(fieldPathProblem(['target', 'args', 3])).toBeNull();
    expect(fieldPathProblem([])).toMatch(/empty/);
    expect(fieldPathProblem(['name'])).toMatch(/name cannot be changed/);
    expect(fieldPathProblem(['target', 'a b'])).toMatch(/path\[1\] must be a field name/);
    expect(fieldPathProblem(['target', 'x'.repeat(65)])).toMatch(/path\[1\]/);
    expect(fieldPathProblem(['target', true])).toMatch(/path\[1\]/);
    expect(fieldPathProblem(['args', -1])).toMatch(/list index/);
    expect(fieldPathProblem(['args', 10_000])).toMatch(/list index/);
  });
});
