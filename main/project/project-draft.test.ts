// The draft model over a real file: dirty means "differs from the file", and undo restores exact
// bytes. The property test drives arbitrary sequences of every kind of edit.
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigEdit, FieldPath } from '../../shared/api.js';
import { ProjectDraft } from './project-draft.js';

const FILE = `# The stack. Comments must survive every undo.
name: prop
services:
  - name: store        # the store
    target: {type: Process, binary: node, args: [store.mjs], ports: [7001]}
    health_check: {type: tcp}
  - name: api
    target:
      type: Process
      binary: node
      args:
        - api.mjs      # entry point
      env:
        PORT: \${API_PORT:-7002}
    dependencies: [store]
    restart: {policy: on-failure}   # keep it up
  - name: web
    target: {type: Docker, image: "nginx:alpine", ports: ["8080:80"]}
    dependencies:
      - api
# trailing comment
`;

let dir: string;
let file: string;
const env = { ...process.env };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-draft-'));
  file = join(dir, 'services.yaml');
  await writeFile(file, FILE);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NAMES = ['store', 'api', 'web', 'extra', 'db'];
const name = fc.constantFrom(...NAMES);
const word = fc.stringMatching(/^[a-z0-9.-]{1,8}$/);
const editArb: fc.Arbitrary<ConfigEdit> = fc.oneof(
  fc.record({ op: fc.constant('setPosition' as const), service: name, x: fc.integer({ min: -2000, max: 2000 }), y: fc.integer({ min: -2000, max: 2000 }) }),
  fc.record({ op: fc.constant('addDependency' as const), service: name, dependency: name }),
  fc.record({ op: fc.constant('removeDependency' as const), service: name, dependency: name }),
  fc.record({ op: fc.constant('removeService' as const), name }),
  fc.record({ op: fc.constant('renameService' as const), name, to: name }),
  name.map((n): ConfigEdit => ({ op: 'addService', service: { name: n, target: { type: 'Process', binary: 'node', args: ['x.mjs'] } } })),
  fc.record({ op: fc.constant('setField' as const), service: name, path: fc.constant<FieldPath>(['target', 'args']), value: fc.array(word, { maxLength: 3 }) }),
  fc.record({ op: fc.constant('setField' as const), service: name, path: fc.constant<FieldPath>(['target', 'env', 'MODE']), value: fc.option(word, { nil: null }) }),
  fc.record({ op: fc.constant('setField' as const), service: name, path: fc.constant<FieldPath>(['restart']), value: fc.constantFrom('no', 'always', null) }),
  fc.record({ op: fc.constant('setField' as const), service: name, path: fc.constant<FieldPath>(['health_check']), value: fc.constantFrom({ type: 'log', pattern: 'ready' }, null) }),
);

describe('ProjectDraft', () => {
  it('dirty follows the text: clean again when undone back to the file, dirty again after undoing a save', async () => {
    const d = await ProjectDraft.load(file, env);
    expect(d.dirty).toBe(false);
    expect(d.edit([{ op: 'setPosition', service: 'api', x: 5, y: 6 }])).toBe(true);
    expect(d.dirty).toBe(true);
    d.undo();
    expect(d.dirty).toBe(false);
    d.redo();
    d.markSaved();
    expect(d.dirty).toBe(false);
    d.undo();
    expect(d.dirty).toBe(true);
    expect(d.text).toBe(FILE);
  });

  it('an edit that cannot apply changes nothing and records no step', async () => {
    const d = await ProjectDraft.load(file, env);
    expect(() => d.edit([{ op: 'renameService', name: 'api', to: 'web' }])).toThrow(/duplicate service name "web"/);
    expect(d.text).toBe(FILE);
    expect(d.canUndo).toBe(false);
  });

  it('check answers with the loader problems of the candidate, without changing the draft', async () => {
    const d = await ProjectDraft.load(file, env);
    const r = d.check({ edits: [{ op: 'setField', service: 'web', path: ['target', 'image'], value: '' }] });
    expect(r.problems).toEqual([expect.objectContaining({ path: 'services[2].target.image', message: 'must not be empty' })]);
    expect(d.check({ edits: [{ op: 'renameService', name: 'api', to: '1x' }] }).refused).toMatch(/^invalid service name "1x"/);
    expect(d.check({ text: 'services: [' }).problems[0].message).toMatch(/YAML syntax error/);
    expect(d.text).toBe(FILE);
    expect(d.canUndo).toBe(false);
  });

  it('labels steps for the Edit menu', async () => {
    const d = await ProjectDraft.load(file, env);
    d.edit([{ op: 'setPosition', service: 'api', x: 1, y: 1 }, { op: 'setPosition', service: 'web', x: 1, y: 1 }]);
    expect(d.undoLabel).toBe('Move api, web');
    d.edit([{ op: 'renameService', name: 'store', to: 'db' }]);
    expect(d.undoLabel).toBe('Rename store to db');
    d.undo();
    expect(d.redoLabel).toBe('Rename store to db');
  });

  it('property: any sequence of edits, then as many undos, gives back the original bytes; redo gives the edited bytes', async () => {
    let applied = 0;
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(editArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }), async (calls) => {
        const d = await ProjectDraft.load(file, env);
        const texts = [d.text];
        for (const edits of calls) {
          try {
            if (d.edit(edits)) {
              texts.push(d.text);
              applied++;
              for (const e of edits) kinds.add(e.op);
            }
          } catch {
            // Refused edits (unknown service, taken name, broken YAML) change nothing.
            expect(d.text).toBe(texts[texts.length - 1]);
          }
        }
        const steps = texts.length - 1;
        for (let i = steps - 1; i >= 0; i--) {
          expect(d.undo()).toBe(true);
          expect(d.text).toBe(texts[i]);
        }
        expect(d.undo()).toBe(false);
        expect(d.text).toBe(FILE);
        expect(d.dirty).toBe(false);
        for (let i = 1; i <= steps; i++) {
          expect(d.redo()).toBe(true);
          expect(d.text).toBe(texts[i]);
        }
        expect(d.redo()).toBe(false);
        // The loaded view follows the text, not just the text itself.
        expect(d.current.document.text).toBe(texts[steps]);
      }),
      { numRuns: 100 },
    );
    // Not vacuous: on average more than one step per run, and every kind of edit was among them.
    expect(applied).toBeGreaterThan(100);
    expect([...kinds].sort()).toEqual(['addDependency', 'addService', 'removeDependency', 'removeService', 'renameService', 'setField', 'setPosition']);
  }, 120_000);
});
