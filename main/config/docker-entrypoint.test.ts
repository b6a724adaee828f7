// Docker targets' optional `entrypoint` (additive, as Compose spells it): loaded as a list of
// strings, checked like `command`, and described the same way by the schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseProject } from './parse-project.js';
import { validateSchema } from './test-support/json-schema-lite.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema/services.schema.json'), 'utf8')) as Record<string, unknown>;

const file = (target: string) => `services:\n  - name: web\n    target: ${target}\n`;

describe('Docker entrypoint', () => {
  it('loads entrypoint and command as lists of text (numbers become strings)', () => {
    const text = file('{type: Docker, image: nginx, entrypoint: [/docker-entrypoint.sh, 1], command: [nginx, -g, "daemon off;"]}');
    const r = parseProject(text, '/p/services.yaml', {});
    expect(r.problems).toEqual([]);
    expect(r.config?.services[0].target).toMatchObject({ entrypoint: ['/docker-entrypoint.sh', '1'], command: ['nginx', '-g', 'daemon off;'] });
    expect(validateSchema(schema, parse(text))).toEqual([]);
  });

  it('leaves entrypoint out when not written, and keeps an empty one (it clears the image ENTRYPOINT)', () => {
    const absent = parseProject(file('{type: Docker, image: nginx}'), '/p/services.yaml', {});
    expect(absent.config?.services[0].target).not.toHaveProperty('entrypoint');
    const empty = parseProject(file('{type: Docker, image: nginx, entrypoint: []}'), '/p/services.yaml', {});
    expect(empty.config?.services[0].target).toMatchObject({ entrypoint: [] });
  });

  it('reports a malformed entrypoint at its field path, and the schema rejects it too', () => {
    const text = file('{type: Docker, image: nginx, entrypoint: {sh: x}}');
    const r = parseProject(text, '/p/services.yaml', {});
    expect(r.config).toBeNull();
    expect(r.problems).toEqual([expect.objectContaining({ path: 'services[0].target.entrypoint', message: 'expected a list of strings, got a map', line: 3 })]);
    expect(validateSchema(schema, parse(text)).length).toBeGreaterThan(0);
  });

  it('is a Docker field only: a Process target with entrypoint is an unknown field', () => {
    const r = parseProject(file('{type: Process, binary: node, entrypoint: [x]}'), '/p/services.yaml', {});
    expect(r.problems[0]).toMatchObject({ path: 'services[0].target.entrypoint', message: expect.stringMatching(/^unknown field "entrypoint"/) });
  });
});
