// A file with errors still yields what could be read: every named service entry, in file order,
// with its loaded config when the entry itself is fine, so editors can show the whole file.
import { describe, expect, it } from 'vitest';
import { parseProject } from './parse-project.js';

const load = (text: string) => parseProject(text, '/p/services.yaml', {});

describe('partial results of a file with errors', () => {
  it('list form: good entries keep their config, the bad one is listed without it', () => {
    const r = load(`services:
  - name: store
    target: {type: Process, binary: node, ports: [7001]}
  - name: web
    target: {type: Docker, image: ""}
    dependencies: [store]
  - target: {type: Process, binary: node}
  - name: api
    target: {type: Process, binary: node}
    dependencies: [store, nope]
`);
    expect(r.config).toBeNull();
    expect(r.partial?.name).toBe('p');
    const s = r.partial!.services;
    expect(s.map((x) => [x.name, x.path, x.index, x.config !== undefined, x.dependencies])).toEqual([
      ['store', 'services[0]', 0, true, []],
      ['web', 'services[1]', 1, false, ['store']],
      ['api', 'services[3]', 3, true, ['store', 'nope']],
    ]);
    // The problems name the same paths.
    const paths = r.problems.filter((p) => p.severity === 'error').map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['services[1].target.image', 'services[2]', 'services[3].dependencies[1]']));
  });

  it('map form: paths by name', () => {
    const r = load('services:\n  a:\n    target: {type: Process}\n  b:\n    target: {type: Process, binary: x}\n');
    expect(r.partial!.services.map((x) => [x.name, x.path, x.index, x.config !== undefined])).toEqual([
      ['a', 'services.a', 0, false],
      ['b', 'services.b', 1, true],
    ]);
  });

  it('a valid file has the same services in partial as in config', () => {
    const r = load('services:\n  - name: a\n    target: {type: Process, binary: x}\n');
    expect(r.partial!.services[0].config).toEqual(r.config!.services[0]);
  });

  it('YAML syntax errors leave nothing to show', () => {
    expect(load('services:\n  - name: [a\n').partial).toBeUndefined();
  });
});
