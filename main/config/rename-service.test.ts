// Renaming a service: the name and every dependency list naming it change, nothing else does;
// names the loader would refuse are refused with the loader's own words.
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../shared/errors.js';
import { applyEdits } from './apply-edits.js';
import { parseProject } from './parse-project.js';
import { duplicateServiceNameMessage, invalidServiceNameMessage } from './validate-graph.js';

const LIST = `# stack
services:
  - name: store          # the store
    target: {type: Process, binary: node}
    ui: {position: {x: 1, y: 2}}
  - name: api
    target: {type: Process, binary: node}
    dependencies: [store]     # flow list
  - name: worker
    target: {type: Process, binary: node}
    dependencies:
      - api
      - "store"   # quoted on purpose
`;

const MAP = `services:
  store:   # map form
    target: {type: Process, binary: node}
  api:
    name: api
    target: {type: Process, binary: node}
    dependencies: [store]
`;

const load = (text: string) => parseProject(text, '/p/services.yaml', {});
const rename = (text: string, name: string, to: string) => applyEdits(load(text).document, [{ op: 'renameService', name, to }]);

function refusal(fn: () => unknown): HarnessError {
  try {
    fn();
  } catch (err) {
    return err as HarnessError;
  }
  throw new Error('expected the rename to be refused');
}

describe('renameService', () => {
  it('list form: renames the entry and every dependency naming it; every other byte stays', () => {
    const r = rename(LIST, 'store', 'db');
    expect(r.problems).toEqual([]);
    expect(r.document.text).toBe(
      LIST.replace('- name: store          # the store', '- name: db          # the store')
        .replace('dependencies: [store]     # flow list', 'dependencies: [db]     # flow list')
        .replace('- "store"   # quoted on purpose', '- db   # quoted on purpose'),
    );
    const svc = r.config!.services;
    expect(svc.map((s) => s.name)).toEqual(['db', 'api', 'worker']);
    expect(svc[1].dependencies).toEqual(['db']);
    expect(svc[2].dependencies).toEqual(['api', 'db']);
    // The position lives in the entry, so it moves with the name.
    expect(svc[0].ui?.position).toEqual({ x: 1, y: 2 });
  });

  it('map form: renames the key and a matching name: inside the entry', () => {
    const r = rename(MAP, 'api', 'gateway');
    expect(r.problems).toEqual([]);
    expect(r.document.text).toBe(MAP.replace('  api:\n    name: api\n', '  gateway:\n    name: gateway\n'));
    const s = rename(MAP, 'store', 'db');
    expect(s.document.text).toBe(MAP.replace('  store:   # map form', '  db:   # map form').replace('dependencies: [store]', 'dependencies: [db]'));
  });

  it('refuses an invalid name with the loader message, before touching anything', () => {
    const err = refusal(() => rename(LIST, 'api', '9lives'));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe(invalidServiceNameMessage('9lives'));
    // The same words the loader uses for such a name in a file.
    const inFile = load(LIST.replace('name: api', 'name: 9lives'));
    expect(inFile.problems.map((p) => p.message)).toContain(invalidServiceNameMessage('9lives'));
  });

  it('refuses a taken name with the loader duplicate message (line of the existing one)', () => {
    const err = refusal(() => rename(LIST, 'api', 'worker'));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe(duplicateServiceNameMessage('worker', 9));
  });

  it('refuses a name whose environment prefix clashes, with the loader message for it', () => {
    const text = LIST.replace('name: worker', 'name: my-store');
    const clash = refusal(() => rename(text, 'api', 'my_store'));
    expect(clash.code).toBe('CONFLICT');
    expect(clash.message).toMatch(/both map to the environment prefix MY_STORE_/);
    // A name that clashes with nothing goes through.
    expect(rename(text, 'api', 'store_').problems).toEqual([]);
  });

  it('renaming to the same name changes nothing', () => {
    expect(rename(LIST, 'api', 'api').document.text).toBe(LIST);
  });

  it('an unknown service is NOT_FOUND', () => {
    expect(refusal(() => rename(LIST, 'nope', 'x')).code).toBe('NOT_FOUND');
  });
});
