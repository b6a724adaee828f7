// services.start over the core API: a start in which services fail answers with the one
// failed-start error (main/project/failed-start.ts), on real processes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../shared/api-client.js';
import { HarnessError } from '../../shared/errors.js';
import { ProjectSession } from '../project/project-session.js';
import { createCoreApi } from './core-api.js';
import { connectInMemory } from './memory-transport.js';

describe('services.start', () => {
  it('turns a report with failures into the one failed-start error, the report as details', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-api-'));
    const session = new ProjectSession({ env: { ...process.env, HARNESS_STATE_DIR: join(dir, 'state') } });
    const connection = connectInMemory(createCoreApi(session).dispatcher);
    try {
      await writeFile(
        join(dir, 'services.yaml'),
        `services:
  - name: ok
    target: { type: Process, binary: node, args: ["-e", "setInterval(() => {}, 1000)"] }
  - name: bad
    target: { type: Process, binary: ./no-such-server }
  - name: after
    target: { type: Process, binary: node, args: ["-e", "setInterval(() => {}, 1000)"] }
    dependencies: [bad]
`,
      );
      await session.open(join(dir, 'services.yaml'));
      const err = (await new ApiClient(connection).invoke('services.start', {}).catch((e: unknown) => e)) as HarnessError;
      expect(err).toBeInstanceOf(HarnessError);
      expect(err.code).toBe('UNAVAILABLE');
      const report = err.details as { ready: string[]; failed: Array<{ service: string; reason: string }> };
      expect(report.ready).toEqual(['ok']);
      const why = report.failed[0].reason;
      expect(why).toContain('no-such-server');
      expect(report.failed).toEqual([
        { service: 'bad', reason: why },
        { service: 'after', reason: `dependency bad failed: ${why}` },
      ]);
      expect(err.message).toBe(`2 services failed to start: bad: ${why}; after: dependency bad failed: ${why}`);
    } finally {
      connection.close();
      await session.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
