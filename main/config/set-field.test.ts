// setField changes one field in place: every other byte of the file (comments, quoting, `${VAR}`
// references in sibling fields) stays as written, in both forms of `services:`.
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ConfigEdit, FieldPath } from '../../shared/api.js';
import { HarnessError } from '../../shared/errors.js';
import { applyEdits } from './apply-edits.js';
import { parseProject } from './parse-project.js';

const FILE = '/p/services.yaml';

const LIST = `# The stack.
name: demo

services:
  - name: store
    target:
      type: Process
      binary: node            # looked up on PATH
      args: [store.mjs]
      env:
        PORT: \${DEMO_STORE_PORT:-17101}
      # Declared ports are what dependents get as <NAME>_PORT.
      ports: ["\${DEMO_STORE_PORT:-17101}"]
    dependencies: []
    health_check:
      type: tcp

  - name: api
    target:
      type: Process
      binary: node
      args:
        - api.mjs   # the entry point
        - --quiet
      env:
        PORT: \${DEMO_API_PORT:-17102}
        MODE: prod
      ports: ["\${DEMO_API_PORT:-17102}"]
    dependencies: [store]     # needs the store
    health_check:
      type: http
      port: \${DEMO_API_PORT:-17102}
      path: /health           # 200 only when the store answers
    restart:
      policy: on-failure      # backoff below
      backoff: 250ms
# trailing comment
`;

const MAP = `services:
  store:   # the store
    target: {type: Process, binary: node, args: [store.mjs], env: {PORT: "\${P:-7001}"}}
  api:
    target:
      type: Process
      binary: node
      args: [api.mjs]
      env:
        PORT: \${API_PORT:-7002}   # keep me
    dependencies: [store]
    restart: on-failure
`;

const ENV = { DEMO_STORE_PORT: '17201', DEMO_API_PORT: '17202' };

function edit(text: string, edits: ConfigEdit[], env: Record<string, string> = ENV) {
  return applyEdits(parseProject(text, FILE, env).document, edits);
}

function set(service: string, path: FieldPath, value: unknown): ConfigEdit {
  return { op: 'setField', service, path, value };
}

/** `text` with each [before, after] line replaced exactly once (fails when a line is missing). */
function withLines(text: string, ...swaps: Array<[string, string | null]>): string {
  let out = text;
  for (const [from, to] of swaps) {
    const i = out.indexOf(`${from}\n`);
    expect(i, `line not found: ${from}`).toBeGreaterThanOrEqual(0);
    out = out.slice(0, i) + (to === null ? '' : `${to}\n`) + out.slice(i + from.length + 1);
  }
  return out;
}

const service = (text: string, name: string) => {
  const doc = parse(text) as { services: Array<Record<string, unknown>> | Record<string, Record<string, unknown>> };
  return Array.isArray(doc.services) ? doc.services.find((s) => s.name === name)! : doc.services[name];
};

describe('setField, list form', () => {
  it('changes a flow list in place; every other byte, ${VAR} references and comments included, is kept', () => {
    const r = edit(LIST, [set('store', ['target', 'args'], ['store.mjs', '--label=a b', 'x,y'])]);
    expect(r.problems).toEqual([]);
    expect(r.document.text).toBe(withLines(LIST, ['      args: [store.mjs]', '      args: [store.mjs, --label=a b, "x,y"]']));
    expect(r.config!.services[0].target).toMatchObject({ args: ['store.mjs', '--label=a b', 'x,y'], env: { PORT: '17201' }, ports: [17201] });
  });

  it('replaces a block list with a block list at the same indentation', () => {
    const r = edit(LIST, [set('api', ['target', 'args'], ['api.mjs', '--verbose'])]);
    expect(r.problems).toEqual([]);
    expect(r.document.text).toBe(withLines(LIST, ['        - api.mjs   # the entry point', '        - api.mjs'], ['        - --quiet', '        - --verbose']));
  });

  it('sets a scalar keeping the comment after it, and a map entry keeping its ${VAR} sibling', () => {
    const r = edit(LIST, [
      set('store', ['target', 'binary'], '/usr/bin/node'),
      set('api', ['target', 'env', 'MODE'], 'dev'),
      set('api', ['restart', 'policy'], 'always'),
      set('api', ['target', 'args', 1], '--loud'),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.document.text).toBe(
      withLines(
        LIST,
        ['      binary: node            # looked up on PATH', '      binary: /usr/bin/node            # looked up on PATH'],
        ['        MODE: prod', '        MODE: dev'],
        ['      policy: on-failure      # backoff below', '      policy: always      # backoff below'],
        ['        - --quiet', '        - --loud'],
      ),
    );
    expect(r.document.text).toContain('        PORT: ${DEMO_API_PORT:-17102}\n');
  });

  it('writes a ${VAR} reference as text: it stays a reference in the file and is interpolated on load', () => {
    const r = edit(LIST, [set('api', ['target', 'env', 'MODE'], '${DEMO_MODE:-test}')]);
    expect(r.document.text).toContain('        MODE: ${DEMO_MODE:-test}\n');
    expect(r.config!.services[1].target).toMatchObject({ env: { PORT: '17202', MODE: 'test' } });
  });

  it('adds missing fields, creating the maps on the way, at the indentation of their siblings', () => {
    const r = edit(LIST, [
      set('store', ['target', 'env', 'DEBUG'], '1'),
      set('store', ['restart', 'policy'], 'always'),
      set('store', ['health_check', 'timeout'], '2s'),
      set('api', ['target', 'args', 2], '--extra'),
      set('store', ['target', 'args', 1], 'tail'),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.document.text).toBe(
      withLines(
        LIST,
        ['      args: [store.mjs]', '      args: [store.mjs, tail]'],
        ['        PORT: ${DEMO_STORE_PORT:-17101}', '        PORT: ${DEMO_STORE_PORT:-17101}\n        DEBUG: "1"'],
        ['      type: tcp', '      type: tcp\n      timeout: 2s\n    restart:\n      policy: always'],
        ['        - --quiet', '        - --quiet\n        - --extra'],
      ),
    );
    const store = r.config!.services[0];
    expect(store.restart.policy).toBe('always');
    expect(store.health_check).toMatchObject({ type: 'tcp', timeout_ms: 2000 });
  });

  it('removes a field with null: its lines go, the comments of its neighbours stay', () => {
    const r = edit(LIST, [
      set('api', ['health_check'], null),
      set('api', ['target', 'env', 'MODE'], null),
      set('api', ['target', 'args', 0], null),
      set('api', ['stop_signal'], null), // not there: nothing to do
    ]);
    expect(r.problems).toEqual([]);
    expect(r.document.text).toBe(
      withLines(
        LIST,
        ['        - api.mjs   # the entry point', null],
        ['        MODE: prod', null],
        ['    health_check:\n      type: http\n      port: ${DEMO_API_PORT:-17102}\n      path: /health           # 200 only when the store answers', null],
      ),
    );
    expect(r.config!.services[1].health_check).toBeUndefined();
  });

  it('removing the last entry of a block map or list leaves it empty on its key line', () => {
    const r = edit(LIST, [set('store', ['target', 'env', 'PORT'], null), set('store', ['health_check', 'type'], null)]);
    expect(r.document.text).toBe(withLines(LIST, ['      env:\n        PORT: ${DEMO_STORE_PORT:-17101}', '      env: {}'], ['    health_check:\n      type: tcp', '    health_check: {}']));
    // An empty health_check is a problem the core reports; the edit itself is applied.
    expect(r.config).toBeNull();
    expect(r.problems.map((p) => p.path)).toContain('services[0].health_check');
  });

  it('replaces a block map by a scalar and a scalar by a map', () => {
    const r = edit(LIST, [set('api', ['restart'], 'no'), set('store', ['dependencies'], ['api'])]);
    expect(r.document.text).toContain('    restart: no\n# trailing comment\n');
    expect(r.document.text).toContain('    dependencies: [api]\n');
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/cycle/);
  });

  it('a multi-line string is written as a one-line JSON string', () => {
    const r = edit(LIST, [set('store', ['target', 'env', 'NOTE'], 'two\nlines: "x"')]);
    expect(r.document.text).toContain('        NOTE: "two\\nlines: \\"x\\""\n');
    expect(r.config!.services[0].target).toMatchObject({ env: { NOTE: 'two\nlines: "x"' } });
  });
});

describe('setField, map form and flow style', () => {
  it('sets and removes fields inside a flow map service, flow-safe', () => {
    const r = edit(MAP, [
      set('store', ['target', 'args'], ['a,b', 'c']),
      set('store', ['target', 'env', 'X'], '{y}'),
      set('store', ['target', 'binary'], null),
      set('store', ['health_check'], { type: 'tcp' }),
    ]);
    expect(r.document.text).toBe(
      withLines(MAP, [
        '    target: {type: Process, binary: node, args: [store.mjs], env: {PORT: "${P:-7001}"}}',
        '    target: {type: Process, args: ["a,b", c], env: {PORT: "${P:-7001}", X: "{y}"}}\n    health_check:\n      type: tcp',
      ]),
    );
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/binary/);
  });

  it('edits a block service of the map form; the `${VAR}` line with its comment is kept', () => {
    const r = edit(MAP, [set('api', ['target', 'args'], ['api.mjs', '--port', '${API_PORT:-7002}']), set('api', ['restart'], 'always')], { API_PORT: '9' });
    expect(r.problems).toEqual([]);
    expect(r.document.text).toBe(
      withLines(MAP, ['      args: [api.mjs]', '      args: [api.mjs, --port, "${API_PORT:-7002}"]'], ['    restart: on-failure', '    restart: always']),
    );
    expect(r.document.text).toContain('        PORT: ${API_PORT:-7002}   # keep me\n');
    expect(r.config!.services.find((s) => s.name === 'api')!.target).toMatchObject({ args: ['api.mjs', '--port', '9'] });
  });

  it('a scalar in the way is an error, not silently replaced; an empty value is filled', () => {
    expect(() => edit(MAP, [set('api', ['restart', 'policy'], 'always')])).toThrow(/services\.api\.restart is a value \("on-failure"\), not a map or list/);
    const text = 'services:\n  a:\n    target: {type: Process, binary: x}\n    restart:\n    stop_signal: SIGINT\n';
    const r = edit(text, [set('a', ['restart', 'policy'], 'always')]);
    expect(r.problems).toEqual([]);
    expect(r.config!.services[0].restart.policy).toBe('always');
    expect(r.document.text).toBe('services:\n  a:\n    target: {type: Process, binary: x}\n    restart: {policy: always}\n    stop_signal: SIGINT\n');
  });
});

describe('setField, shapes the splices leave to the AST edit', () => {
  it('a block scalar item and an aliased map still get the right value, comments kept', () => {
    const text = [
      'x-env: &env {A: "1"}',
      'services:',
      '  a:',
      '    target:',
      '      type: Process',
      '      binary: x   # bin',
      '      env: *env',
      '      args:',
      '        - |',
      '          multi',
      '          line',
      '',
    ].join('\n');
    const r = edit(text, [set('a', ['target', 'args', 0], 'one'), set('a', ['target', 'env'], { B: '${B:-2}' })]);
    expect(r.problems).toEqual([]);
    expect(r.config!.services[0].target).toMatchObject({ binary: 'x', args: ['one'], env: { B: '2' } });
    expect(r.document.text).toContain('# bin');
    expect(r.document.text).toContain('${B:-2}');
  });
});

describe('setField errors', () => {
  const cases: Array<[string, ConfigEdit, RegExp, string]> = [
    ['rename', set('api', ['name'], 'web'), /name cannot be changed/, 'BAD_REQUEST'],
    ['empty path', set('api', [], {}), /path is empty/, 'BAD_REQUEST'],
    ['key with a slash', set('api', ['target', '../x'], 1), /path\[1\] must be a field name/, 'BAD_REQUEST'],
    ['too deep', set('api', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], 1), /more than 8 items/, 'BAD_REQUEST'],
    ['negative index', set('api', ['target', 'args', -1], 'x'), /list index from 0/, 'BAD_REQUEST'],
    ['name into a list', set('api', ['target', 'args', 'first'], 'x'), /args is a list; "first" needs to be an index/, 'BAD_REQUEST'],
    ['index into a map', set('api', ['target', 0], 'x'), /target is a map; item 0 needs a field name/, 'BAD_REQUEST'],
    ['past the end', set('api', ['target', 'args', 5], 'x'), /has 2 items; index 5 is past its end/, 'BAD_REQUEST'],
    ['under a scalar', set('api', ['target', 'binary', 'x'], 'y'), /services\.api\.target\.binary is a value/, 'BAD_REQUEST'],
    ['no value', { op: 'setField', service: 'api', path: ['x'] } as unknown as ConfigEdit, /"value" is required/, 'BAD_REQUEST'],
    ['unknown service', set('ghost', ['target', 'binary'], 'x'), /no service named "ghost"/, 'NOT_FOUND'],
  ];
  it.each(cases)('%s is refused with a clear error and the document is left as it was', (_label, e, message, code) => {
    const r = parseProject(LIST, FILE, ENV);
    const before = r.document.text;
    let thrown: unknown;
    try {
      applyEdits(r.document, [set('store', ['target', 'binary'], 'deno'), e]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HarnessError);
    expect((thrown as HarnessError).code).toBe(code);
    expect((thrown as Error).message).toMatch(message);
    expect(r.document.text).toBe(before);
  });
});

describe('setField, any value at any path', () => {
  const PATHS: FieldPath[] = [
    ['target', 'args'],
    ['target', 'args', 0],
    ['target', 'env', 'PORT'],
    ['target', 'env', 'NEW'],
    ['target', 'ports'],
    ['restart', 'policy'],
    ['restart'],
    ['health_check'],
    ['health_check', 'path'],
    ['ui', 'position', 'x'],
    ['x-note'],
  ];
  const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constantFrom('${A:-1}', 'a: b', '- x', '#c', '', 'null', '[x]'));
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), scalar, { maxKeys: 3 }), fc.constant(null));

  // Per form: where each service starts, a line no path above touches, and lines with comments
  // outside any field the paths above reach (comments inside an edited field go with its value).
  const fixtures: Array<[string, string, Record<string, string>, string, string[]]> = [
    [
      'list form',
      LIST,
      { store: '  - name: store', api: '  - name: api' },
      '        PORT: ${DEMO_API_PORT:-17102}\n',
      ['      binary: node            # looked up on PATH', '    dependencies: [store]     # needs the store'],
    ],
    ['map form', MAP, { store: '  store:', api: '  api:' }, '        PORT: ${API_PORT:-7002}   # keep me\n', ['  store:   # the store']],
  ];
  it.each(fixtures)('%s: the file means exactly the edited value; the other service and the comments stay byte-identical', (_form, text, starts, apiPort, kept) => {
    const comments = [...text.split('\n').filter((l) => /^\s*#/.test(l)), ...kept];
    // Each service's text: from its first line to the next service's (or the end).
    const block = (name: string) => text.slice(text.indexOf(starts[name]), name === 'store' ? text.indexOf(starts.api) : undefined);
    fc.assert(
      fc.property(fc.constantFrom('store', 'api'), fc.constantFrom(...PATHS), value, (name, path, v) => {
        const want = JSON.parse(JSON.stringify(service(text, name))) as Record<string, unknown>;
        if (!setPlain(want, path, v)) {
          // A scalar in the way (the map form's `restart: on-failure`) is refused.
          expect(() => edit(text, [set(name, path, v)])).toThrow(/not a map or list/);
          return;
        }
        const r = edit(text, [set(name, path, v)]);
        const other = name === 'api' ? 'store' : 'api';
        expect(service(r.document.text, name)).toEqual(want);
        expect(service(r.document.text, other)).toEqual(service(text, other));
        // The splice path, not the AST fallback (which re-spaces the whole file).
        expect(r.document.text).toContain(block(other));
        for (const c of comments) expect(r.document.text).toContain(c);
        if (!(name === 'api' && path.join('.') === 'target.env.PORT')) expect(r.document.text).toContain(apiPort);
      }),
      { numRuns: 250 },
    );
  });
});

/** The same edit on plain JSON (what the YAML must mean afterwards); false when a scalar is in
 * the way. */
function setPlain(root: Record<string, unknown>, path: FieldPath, value: unknown): boolean {
  let cur: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    if (cur[k] === undefined || cur[k] === null) {
      if (value === null) return true;
      cur[k] = typeof path[i + 1] === 'number' ? [] : {};
    } else if (typeof cur[k] !== 'object') {
      return false;
    }
    cur = cur[k] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (value !== null) cur[last] = value;
  else if (Array.isArray(cur)) cur.splice(last as number, 1);
  else delete cur[last];
  return true;
}
