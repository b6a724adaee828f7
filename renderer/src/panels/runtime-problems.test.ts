import { describe, expect, it } from 'vitest';
import type { ServiceState } from '../../../shared/service-state';
import { runtimeProblems } from './runtime-problems';

const st = (name: string, patch: Partial<ServiceState>): ServiceState => ({ name, type: 'Process', status: 'stopped', restarts: 0, updatedAt: 0, ...patch });
const all = (...list: ServiceState[]) => Object.fromEntries(list.map((s) => [s.name, s]));

describe('runtime problems', () => {
  it('names a start error, a crash loop, a failing health check and an unexpected exit, each with its service', () => {
    const got = runtimeProblems(
      all(
        st('bin', { status: 'failed', error: 'binary not found: ./nope (looked in PATH)' }),
        st('loop', { status: 'failed', restarts: 5, exitCode: 1, error: 'exited with code 1' }),
        st('sick', { status: 'unhealthy', health: { ok: false, message: 'connect ECONNREFUSED 127.0.0.1:9', at: 1 } }),
        st('gone', { status: 'exited', exitCode: 3 }),
        st('fine', { status: 'healthy' }),
        st('done', { status: 'exited', exitCode: 0 }),
        st('stopped', { status: 'stopped' }),
      ),
    );
    expect(got).toEqual([
      { service: 'bin', kind: 'start', severity: 'error', message: 'binary not found: ./nope (looked in PATH)' },
      { service: 'gone', kind: 'exit', severity: 'error', message: 'exited unexpectedly (exit code 3)' },
      { service: 'loop', kind: 'crash-loop', severity: 'error', message: 'crash loop: gave up after 5 restarts: exited with code 1' },
      { service: 'sick', kind: 'health', severity: 'error', message: 'health check failing: connect ECONNREFUSED 127.0.0.1:9' },
    ]);
  });

  it('a service restarting after crashes is a warning until it gives up', () => {
    expect(runtimeProblems(all(st('api', { status: 'starting', restarts: 2, error: 'exited with code 1' })))).toEqual([
      { service: 'api', kind: 'crash-loop', severity: 'warning', message: 'restarting (2 restarts so far): exited with code 1' },
    ]);
  });

  it('an image that cannot be pulled is one image problem, not the same words twice', () => {
    const error = 'image my/app:1 is not here and cannot be pulled (registry not reachable); build it or docker load it';
    const got = runtimeProblems(all(st('app', { type: 'Docker', status: 'failed', error })), { app: { task: 'pull', message: error, at: 1 } });
    expect(got).toEqual([{ service: 'app', kind: 'image', severity: 'error', message: `pull failed: ${error}` }]);
    expect(runtimeProblems(all(st('app', { type: 'Docker', status: 'failed', error })))[0].kind).toBe('image');
  });

  it('an edge whose address cannot work is a warning of the dependent, naming the dependency and the reason', () => {
    const got = runtimeProblems({}, {}, [
      { from: 'web', to: 'db', address: '127.0.0.1', port: 5432, warning: 'db listens on 127.0.0.1 only: containers cannot reach it' },
      { from: 'api', to: 'db', address: '127.0.0.1', port: 5432 },
    ]);
    expect(got).toEqual([{ service: 'web', kind: 'edge', severity: 'warning', message: 'reaching db at 127.0.0.1:5432: db listens on 127.0.0.1 only: containers cannot reach it' }]);
  });
});
