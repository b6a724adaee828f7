// Edits keep every untouched byte; saves are atomic and never damage the original on failure.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../shared/errors.js';
import { applyEdits } from './apply-edits.js';
import { loadProject } from './load-project.js';
import { parseProject } from './parse-project.js';
import { createProjectFile, saveDocument } from './save-document.js';

const ODD = `# yaml-language-server: $schema=../schema/services.schema.json
# The demo stack.   Comments   must survive.

name:   demo      # project
services:
    -   name: store          # the store
        target: { type: Process,   binary: node, args: [ store.js ] }
        # health first
        health_check: {type: tcp, port: 7001}

    -   name: api
        target:
            type:    Process
            binary: "node"     # quoted on purpose
            args:
              - api.js
        dependencies:
            - store   # needs the store
        ui:
          position: { x: 10,  y: 20 }
    -   name: web
        target: {type: Process, binary: node}
# trailing comment
`;

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harness-save-'));
});
afterEach(async () => {
  await fs.chmod(dir, 0o700).catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
});

/** Lines of `after` that are not in `before` (multiset difference). */
function addedLines(before: string, after: string): string[] {
  const pool = before.split('\n');
  return after.split('\n').filter((l) => {
    const i = pool.indexOf(l);
    if (i < 0) return true;
    pool.splice(i, 1);
    return false;
  });
}

describe('edits and save round trip', () => {
  it('setPosition and addDependency change only their lines; comments and odd formatting stay byte-identical', async () => {
    const file = path.join(dir, 'services.yaml');
    await fs.writeFile(file, ODD, { mode: 0o640 });
    const loaded = await loadProject(file, { env: {} });
    expect(loaded.problems).toEqual([]);
    const edited = applyEdits(loaded.document, [
      { op: 'setPosition', service: 'api', x: 101.6, y: -7.2 },
      { op: 'setPosition', service: 'web', x: 5, y: 6 },
      { op: 'addDependency', service: 'api', dependency: 'web' },
      { op: 'addDependency', service: 'store', dependency: 'web' },
    ]);
    expect(edited.problems).toEqual([]);
    await saveDocument(edited.document, file);
    const saved = await fs.readFile(file, 'utf8');

    expect(addedLines(ODD, saved)).toEqual([
      '        dependencies: [web]',
      '            - web',
      '          position: { x: 102,  y: -7 }',
      '        ui: {position: {x: 5, y: 6}}',
    ]);
    expect(addedLines(saved, ODD)).toEqual(['          position: { x: 10,  y: 20 }']);
    for (const comment of ODD.split('\n').filter((l) => l.includes('#'))) expect(saved).toContain(comment);
    const reloaded = await loadProject(file, { env: {} });
    const api = reloaded.config!.services.find((s) => s.name === 'api')!;
    expect(api.dependencies).toEqual(['store', 'web']);
    expect(api.ui).toEqual({ position: { x: 102, y: -7 } });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
    expect(await fs.readdir(dir)).toEqual(['services.yaml']);
  });

  it('add, update and remove services; removing one drops it from dependents', () => {
    const r = parseProject(ODD, '/p/services.yaml', {});
    const edited = applyEdits(r.document, [
      { op: 'addService', service: { name: 'cache', target: { type: 'Docker', image: 'redis:7' }, dependencies: ['store'] } },
      { op: 'updateService', name: 'web', service: { name: 'web', target: { type: 'Process', binary: 'python3', args: ['-m', 'http.server'] } } },
      { op: 'removeService', name: 'store' },
      { op: 'removeDependency', service: 'cache', dependency: 'store' },
    ]);
    expect(edited.problems).toEqual([]);
    const services = edited.config!.services;
    expect(services.map((s) => s.name)).toEqual(['api', 'web', 'cache']);
    expect(services[0].dependencies).toEqual([]);
    expect(services[1].target).toMatchObject({ binary: 'python3', args: ['-m', 'http.server'] });
    expect(edited.document.text).toContain('binary: "node"     # quoted on purpose');
    expect(edited.document.text).toContain('# trailing comment');
    expect(edited.document.text).not.toContain('store.js');
  });

  it('edits work on the map form and flow-style collections', () => {
    const text = 'services:\n  a: {target: {type: Process, binary: x}, dependencies: []}\n  b:\n    target: {type: Process, binary: y}\n';
    const r = parseProject(text, '/p/services.yaml', {});
    const e = applyEdits(r.document, [
      { op: 'addDependency', service: 'a', dependency: 'b' },
      { op: 'setPosition', service: 'a', x: 1, y: 2 },
      { op: 'addService', service: { name: 'c', target: { type: 'Process', binary: 'z' } } },
    ]);
    expect(e.problems).toEqual([]);
    expect(e.document.text).toContain('a: {target: {type: Process, binary: x}, dependencies: [b], ui: {position: {x: 1, y: 2}}}');
    expect(e.config!.services.map((s) => s.name)).toEqual(['a', 'b', 'c']);
  });

  it('bad edits throw typed errors and leave the document untouched', () => {
    const r = parseProject(ODD, '/p/services.yaml', {});
    const before = r.document.text;
    expect(() => applyEdits(r.document, [{ op: 'setPosition', service: 'nope', x: 1, y: 1 }])).toThrow(HarnessError);
    expect(() => applyEdits(r.document, [{ op: 'addService', service: { name: 'api', target: {} } }])).toThrow(/duplicate service name "api" \(first defined at line \d+\)/);
    expect(r.document.text).toBe(before);
  });

  it('an edit that introduces a problem is reported, not thrown', () => {
    const r = parseProject(ODD, '/p/services.yaml', {});
    const e = applyEdits(r.document, [{ op: 'addDependency', service: 'store', dependency: 'api' }]);
    expect(e.config).toBeNull();
    expect(e.problems.map((p) => p.message)).toEqual(['dependency cycle: store -> api -> store']);
  });
});

describe('atomic save failures', () => {
  it.skipIf(process.getuid?.() === 0)('a read-only directory leaves the original byte-identical and no temp file (skipped as root: root ignores permissions)', async () => {
    const file = path.join(dir, 'services.yaml');
    await fs.writeFile(file, ODD);
    const loaded = await loadProject(file, { env: {} });
    const edited = applyEdits(loaded.document, [{ op: 'setPosition', service: 'api', x: 1, y: 1 }]);
    await fs.chmod(dir, 0o500);
    await expect(saveDocument(edited.document, file)).rejects.toThrow(/cannot save/);
    await fs.chmod(dir, 0o700);
    expect(await fs.readFile(file, 'utf8')).toBe(ODD);
    expect(await fs.readdir(dir)).toEqual(['services.yaml']);
  });

  it('a write error (target path occupied by a directory) leaves the original and no temp file', async () => {
    const file = path.join(dir, 'services.yaml');
    await fs.writeFile(file, ODD);
    const loaded = await loadProject(file, { env: {} });
    const edited = applyEdits(loaded.document, [{ op: 'setPosition', service: 'api', x: 1, y: 1 }]);
    // rename() over a non-empty directory fails after the temp file was written and synced.
    const blocker = path.join(dir, 'blocked.yaml');
    await fs.mkdir(blocker);
    await fs.writeFile(path.join(blocker, 'keep'), 'x');
    await expect(saveDocument(edited.document, blocker)).rejects.toThrow(/cannot save/);
    expect((await fs.readdir(dir)).sort()).toEqual(['blocked.yaml', 'services.yaml']);
    expect(await fs.readFile(file, 'utf8')).toBe(ODD);
  });

  it('saving into a removed directory fails cleanly', async () => {
    const sub = path.join(dir, 'gone');
    await fs.mkdir(sub);
    const r = parseProject(ODD, path.join(sub, 'services.yaml'), {});
    await fs.rm(sub, { recursive: true });
    await expect(saveDocument(r.document)).rejects.toThrow(/cannot save/);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('refuses to save text that is not valid YAML', async () => {
    const file = path.join(dir, 'services.yaml');
    await fs.writeFile(file, ODD);
    const r = await loadProject(file, { env: {} });
    await expect(saveDocument({ ...r.document, text: 'services: [\n' }, file)).rejects.toThrow(/not valid YAML/);
    expect(await fs.readFile(file, 'utf8')).toBe(ODD);
  });
});

describe('createProjectFile', () => {
  it('writes a valid, commented file with the $schema line and refuses to overwrite', async () => {
    const file = path.join(dir, 'services.yaml');
    await createProjectFile(file);
    const text = await fs.readFile(file, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+services\.schema\.json$/);
    const r = await loadProject(file, { env: {} });
    expect(r.problems).toEqual([]);
    expect(r.config!.services).toHaveLength(1);
    await expect(createProjectFile(file)).rejects.toThrow(/already exists/);
    expect(await fs.readFile(file, 'utf8')).toBe(text);
    expect(await fs.readdir(dir)).toEqual(['services.yaml']);
  });
});
