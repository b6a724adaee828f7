// `project.import` through the contract (in-memory transport, real ProjectSession): the compose
// file is converted, written beside it, opened as the session's project, and never written over
// an existing file; bad params are refused by the payload schema.
import { cpSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../shared/api-client.js';
import { HarnessError } from '../../shared/errors.js';
import { ProjectSession } from '../project/project-session.js';
import { createCoreApi } from './core-api.js';
import { connectInMemory } from './memory-transport.js';

const FIXTURES = fileURLToPath(new URL('../compose/test-fixtures/', import.meta.url));

describe('project.import', () => {
  let dir: string;
  let session: ProjectSession;
  let client: ApiClient;
  let close: () => void;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'harness-import-api-'));
    cpSync(join(FIXTURES, 'profiles'), join(dir, 'stack'), { recursive: true });
    const env = { PATH: process.env.PATH, HARNESS_STATE_DIR: join(dir, 'state') };
    session = new ProjectSession({ env });
    const connection = connectInMemory(createCoreApi(session, { env }).dispatcher);
    close = () => connection.close();
    client = new ApiClient(connection);
  });

  afterAll(async () => {
    client?.dispose();
    close?.();
    await session?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the services.yaml, returns the losses, and opens it', async () => {
    const source = join(dir, 'stack', 'docker-compose.yml');
    const target = join(dir, 'stack', 'services.yaml');
    const result = await client.invoke('project.import', { source, target, profiles: ['mail'] });
    expect(result.file).toBe(target);
    expect(result.losses).toEqual([
      'docker-compose.yml:15: services.adminer.profiles: not converted: only in profile(s) debug, which were not selected: the service is not imported (import it with --profile debug)',
      'docker-compose.yml:20: services.mailhog.profiles: approximated: imported for profile(s) mail; Harness has no profiles, so it starts with the rest of the stack',
      'docker-compose.yml:24: services.loadtest.profiles: not converted: only in profile(s) bench, which were not selected: the service is not imported (import it with --profile bench)',
    ]);
    expect(readFileSync(target, 'utf8')).toContain('mailhog:');
    const snap = await client.invoke('project.snapshot', {});
    expect(snap.file).toBe(target);
    expect(snap.services.map((s) => s.config.name)).toEqual(['app', 'db', 'mailhog']);
    expect(snap.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('refuses an existing target with CONFLICT and leaves it untouched', async () => {
    const target = join(dir, 'taken.yaml');
    await writeFile(target, 'services: {}\n');
    const err = await client.invoke('project.import', { source: join(dir, 'stack', 'docker-compose.yml'), target }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('CONFLICT');
    expect(readFileSync(target, 'utf8')).toBe('services: {}\n');
  });

  it('names a compose file that cannot be read', async () => {
    const err = await client.invoke('project.import', { source: join(dir, 'nope.yml'), target: join(dir, 'x.yaml') }).catch((e: unknown) => e);
    expect((err as HarnessError).code).toBe('NOT_FOUND');
    expect((err as HarnessError).message).toContain('nope.yml: not found');
  });

  it('rejects params outside the schema', async () => {
    const bad = await client.invoke('project.import', { source: 'a.yml', target: 'b.yaml', profiles: ['bad name'] } as never).catch((e: unknown) => e);
    expect((bad as HarnessError).code).toBe('BAD_REQUEST');
    const missing = await client.invoke('project.import', { source: 'a.yml' } as never).catch((e: unknown) => e);
    expect((missing as HarnessError).code).toBe('BAD_REQUEST');
  });
});
