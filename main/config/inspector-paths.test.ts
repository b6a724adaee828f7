// The inspector (shared/graph/inspector-fields.ts) and the loader agree: it offers every field the
// loader accepts, no field the loader does not know, and a bad value typed into a field comes
// back as a problem whose path names that field (so it is shown there).
import { describe, expect, it } from 'vitest';
import type { FieldPath } from '../../shared/api.js';
import { fieldPathText, pathCovers } from '../../shared/field-path.js';
import { BUILD_FIELDS, HEALTH_FIELDS, RESTART_FIELDS, STOP_FIELDS, TARGET_FIELDS } from '../../shared/graph/inspector-fields.js';
import { applyEdits } from './apply-edits.js';
import { FIELDS } from './fields.js';
import { parseProject } from './parse-project.js';

const keysOf = (paths: FieldPath[]) => paths.map((p) => String(p[p.length - 1])).sort();

describe('inspector fields and the loader', () => {
  it('every loader field has an inspector field, and no other', () => {
    for (const [type, spec] of Object.entries(FIELDS.target)) {
      const fields = TARGET_FIELDS[type as keyof typeof TARGET_FIELDS].map((f) => f.path);
      const extra = type === 'Docker' ? ['build'] : [];
      expect([...keysOf(fields), ...extra].sort(), type).toEqual(spec.keys.filter((k) => k !== 'type').sort());
    }
    for (const [type, spec] of Object.entries(FIELDS.health_check)) {
      expect(keysOf(HEALTH_FIELDS[type as keyof typeof HEALTH_FIELDS].map((f) => f.path)), type).toEqual(spec.keys.filter((k) => k !== 'type').sort());
    }
    expect(keysOf(RESTART_FIELDS.map((f) => f.path))).toEqual([...FIELDS.restart.keys].sort());
    expect(keysOf(BUILD_FIELDS.map((f) => f.path))).toEqual([...FIELDS.build.keys].sort());
    // The service level: name, target, dependencies, health_check and restart have their own
    // controls; ui is the node's position.
    expect(keysOf(STOP_FIELDS.map((f) => f.path))).toEqual(FIELDS.service.keys.filter((k) => !['name', 'target', 'dependencies', 'health_check', 'restart', 'ui'].includes(k)).sort());
  });

  const base = (form: 'list' | 'map') =>
    form === 'list'
      ? 'services:\n  - name: other\n    target: {type: Process, binary: node}\n  - name: svc\n    target: {type: Process, binary: node}\n'
      : 'services:\n  other:\n    target: {type: Process, binary: node}\n  svc:\n    target: {type: Process, binary: node}\n';

  for (const form of ['list', 'map'] as const) {
    it(`${form} form: a bad value in each field is reported at that field's path`, () => {
      const entry = form === 'list' ? 'services[1]' : 'services.svc';
      const cases: Array<{ target: Record<string, unknown>; extra?: Record<string, unknown>; field: FieldPath }> = [
        { target: { type: 'Process', binary: '' }, field: ['target', 'binary'] },
        { target: { type: 'Process', binary: 'node', args: 'x' }, field: ['target', 'args'] },
        { target: { type: 'Process', binary: 'node', env: ['A=1'] }, field: ['target', 'env'] },
        { target: { type: 'Process', binary: 'node', working_dir: '' }, field: ['target', 'working_dir'] },
        { target: { type: 'Process', binary: 'node', ports: [70000] }, field: ['target', 'ports'] },
        { target: { type: 'Docker', image: '' }, field: ['target', 'image'] },
        { target: { type: 'Docker', image: 'x', entrypoint: { a: 1 } }, field: ['target', 'entrypoint'] },
        { target: { type: 'Docker', image: 'x', command: 'sh' }, field: ['target', 'command'] },
        { target: { type: 'Docker', image: 'x', ports: ['8080:80:1'] }, field: ['target', 'ports'] },
        { target: { type: 'Docker', image: 'x', volumes: ['data'] }, field: ['target', 'volumes'] },
        { target: { type: 'RemoteLan', host: 'h', user: 'u', binary: 'b', ssh_port: 0 }, field: ['target', 'ssh_port'] },
        { target: { type: 'Wireguard', host: 'h', user: '', package: 'p' }, field: ['target', 'user'] },
        { target: { type: 'Wireguard', host: 'h', user: 'u', package: 'p', install_root: '/a/../b' }, field: ['target', 'install_root'] },
        { target: { type: 'Wireguard', host: 'h', user: 'u', package: 'p', tunnel: 'maybe' }, field: ['target', 'tunnel'] },
        { target: { type: 'Process', binary: 'node' }, extra: { health_check: { type: 'tcp', port: 'x' } }, field: ['health_check', 'port'] },
        { target: { type: 'Process', binary: 'node' }, extra: { health_check: { type: 'http', url: 'nope' } }, field: ['health_check', 'url'] },
        { target: { type: 'Process', binary: 'node' }, extra: { health_check: { type: 'log', pattern: '(' } }, field: ['health_check', 'pattern'] },
        { target: { type: 'Process', binary: 'node' }, extra: { health_check: { type: 'log', pattern: 'a', interval: 'soon' } }, field: ['health_check', 'interval'] },
        { target: { type: 'Process', binary: 'node' }, extra: { restart: { policy: 'sometimes' } }, field: ['restart', 'policy'] },
        { target: { type: 'Process', binary: 'node' }, extra: { restart: { policy: 'always', max_backoff: 'x' } }, field: ['restart', 'max_backoff'] },
        { target: { type: 'Process', binary: 'node' }, extra: { stop_signal: 'SIGNOPE' }, field: ['stop_signal'] },
        { target: { type: 'Process', binary: 'node' }, extra: { stop_grace_period: 'long' }, field: ['stop_grace_period'] },
      ];
      const loaded = parseProject(base(form), '/p/services.yaml', {});
      for (const c of cases) {
        // The inspector's own edit, applied to the file as it would be.
        const edits = [{ op: 'setField' as const, service: 'svc', path: ['target'], value: c.target }, ...Object.entries(c.extra ?? {}).map(([k, v]) => ({ op: 'setField' as const, service: 'svc', path: [k], value: v }))];
        const r = applyEdits(loaded.document, edits);
        const errors = r.problems.filter((p) => p.severity === 'error');
        const field = fieldPathText(entry, c.field);
        expect(errors.length, JSON.stringify(c)).toBeGreaterThan(0);
        expect(errors.every((p) => pathCovers(field, p.path)), `${field}: ${JSON.stringify(errors.map((p) => p.path))}`).toBe(true);
      }
    });
  }
});
