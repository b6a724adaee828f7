// setField through the real API (dispatcher + core over the in-memory transport, a real project
// session on a temp file): forged payloads are refused with BAD_REQUEST before anything changes,
// a good one edits one line, the snapshot carries each service's raw (un-interpolated) form, and
// the save writes the file with everything else byte-identical.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../shared/api-client.js';
import { createCoreApi } from '../api/core-api.js';
import type { ApiDispatcher } from '../api/dispatcher.js';
import { connectInMemory } from '../api/memory-transport.js';
import { ProjectSession } from '../project/project-session.js';

const STACK = `# comments stay
services:
  - name: api
    target:
      type: Process
      binary: node
      args: [api.mjs]   # entry point
      env:
        PORT: \${F1_API_PORT:-17102}
      ports: ["\${F1_API_PORT:-17102}"]
    restart:
      policy: on-failure   # with backoff
`;

describe('setField over the API', () => {
  let dir: string;
  let file: string;
  let session: ProjectSession;
  let dispatcher: ApiDispatcher;
  let client: ApiClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'harness-setfield-'));
    file = join(dir, 'services.yaml');
    await writeFile(file, STACK);
    session = new ProjectSession({ env: { ...process.env, HARNESS_STATE_DIR: join(dir, 'state'), F1_API_PORT: '17999' } });
    dispatcher = createCoreApi(session).dispatcher;
    client = new ApiClient(connectInMemory(dispatcher));
    await client.invoke('project.open', { path: file });
  });

  afterAll(async () => {
    await session?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the snapshot carries each service as written: ${VAR} references, not their values', async () => {
    const snap = await client.invoke('project.snapshot', {});
    const api = snap.services[0];
    expect(api.config.target).toMatchObject({ env: { PORT: '17999' }, ports: [17999] });
    expect(api.raw).toEqual({
      name: 'api',
      target: { type: 'Process', binary: 'node', args: ['api.mjs'], env: { PORT: '${F1_API_PORT:-17102}' }, ports: ['${F1_API_PORT:-17102}'] },
      restart: { policy: 'on-failure' },
    });
  });

  it.each([
    ['a path of 9 items', { op: 'setField', service: 'api', path: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], value: 1 }, 'more than 8 items'],
    ['no value', { op: 'setField', service: 'api', path: ['target', 'binary'] }, 'value: required'],
    ['an extra key', { op: 'setField', service: 'api', path: ['target', 'binary'], value: 'x', name: 'web' }, 'unexpected key "name"'],
    ['a bad service name', { op: 'setField', service: '../api', path: ['target'], value: 1 }, 'does not match'],
    ['a huge value', { op: 'setField', service: 'api', path: ['target', 'binary'], value: 'x'.repeat(70_000) }, 'larger than 65536 bytes'],
    ['a path item that is an object', { op: 'setField', service: 'api', path: ['target', { x: 1 }], value: 1 }, 'path[1]: expected a field name or a list index'],
    ['a path item with a slash', { op: 'setField', service: 'api', path: ['target', '../../etc'], value: 1 }, 'path[1]: expected a field name or a list index'],
    ['a fractional index', { op: 'setField', service: 'api', path: ['target', 'args', 0.5], value: 1 }, 'path[2]: expected a field name or a list index'],
    ['a rename', { op: 'setField', service: 'api', path: ['name'], value: 'web' }, 'name cannot be changed'],
  ])('a forged setField (%s) is refused with BAD_REQUEST and changes nothing', async (_label, forged, fragment) => {
    const before = await client.invoke('project.snapshot', {});
    const r = await dispatcher.call('project.edit', { edits: [{ op: 'setField', service: 'api', path: ['target', 'binary'], value: 'deno' }, forged] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('BAD_REQUEST');
      expect(r.error.message).toContain(fragment);
    }
    const after = await client.invoke('project.snapshot', {});
    expect(after.dirty).toBe(false);
    expect(after.services[0].raw).toEqual(before.services[0].raw);
    expect(await readFile(file, 'utf8')).toBe(STACK);
  });

  it('a good setField edits one line; the save keeps every other byte', async () => {
    const snap = await client.invoke('project.edit', { edits: [{ op: 'setField', service: 'api', path: ['target', 'args'], value: ['api.mjs', '--verbose'] }] });
    expect(snap.dirty).toBe(true);
    expect(snap.problems).toEqual([]);
    expect(snap.services[0].config.target).toMatchObject({ args: ['api.mjs', '--verbose'], env: { PORT: '17999' } });
    expect(snap.services[0].raw).toMatchObject({ target: { args: ['api.mjs', '--verbose'], env: { PORT: '${F1_API_PORT:-17102}' } } });
    await client.invoke('project.save', {});
    expect(await readFile(file, 'utf8')).toBe(STACK.replace('args: [api.mjs]   # entry point', 'args: [api.mjs, --verbose]   # entry point'));
  });
});
