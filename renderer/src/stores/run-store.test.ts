import { describe, expect, it } from 'vitest';
import type { ServiceState } from '../../../shared/service-state';
import { createRunStore } from './run-store';

const st = (name: string, status: ServiceState['status']): ServiceState => ({ name, type: 'Process', status, restarts: 0, updatedAt: 0 });

describe('run store: batched status events', () => {
  it('applies a batch in one update, in order, newest state per service winning', () => {
    const run = createRunStore();
    run.getState().reset([st('a', 'stopped'), st('b', 'stopped')], 10);
    let updates = 0;
    run.subscribe(() => updates++);
    const untouched = run.getState().states.b;
    expect(run.getState().applyStatuses([{ seq: 11, state: st('a', 'starting') }, { seq: 12, state: st('a', 'healthy') }])).toBe('applied');
    expect(updates).toBe(1);
    expect(run.getState().states.a.status).toBe('healthy');
    expect(run.getState().seq).toBe(12);
    // Unchanged services keep their object, so their nodes do not re-render.
    expect(run.getState().states.b).toBe(untouched);
  });

  it('skips stale events and reports a gap so the caller resyncs', () => {
    const run = createRunStore();
    run.getState().reset([st('a', 'stopped')], 10);
    expect(run.getState().applyStatuses([{ seq: 9, state: st('a', 'failed') }])).toBe('stale');
    expect(run.getState().states.a.status).toBe('stopped');
    expect(run.getState().applyStatuses([{ seq: 10, state: st('a', 'failed') }, { seq: 13, state: st('a', 'running') }])).toBe('gap');
    expect(run.getState().states.a.status).toBe('running');
    expect(run.getState().seq).toBe(13);
  });

  it('keeps a failed step (an image pull) until the service runs again', () => {
    const run = createRunStore();
    run.getState().reset([st('db', 'starting')], 1);
    run.getState().setProgressFailure('db', { task: 'pull', message: 'not found', at: 1 });
    run.getState().applyStatuses([{ seq: 2, state: st('db', 'failed') }]);
    expect(run.getState().progressFailures.db?.task).toBe('pull');
    run.getState().applyStatuses([{ seq: 3, state: st('db', 'starting') }, { seq: 4, state: st('db', 'running') }]);
    expect(run.getState().progressFailures.db).toBeUndefined();
  });
});

describe('run store: package transfers', () => {
  it('holds the bytes of a transfer in progress per service, and drops it when it is done', () => {
    const run = createRunStore();
    run.getState().applyTransfer('api', 10, 100, false);
    run.getState().applyTransfer('edge', 5, 50, false);
    run.getState().applyTransfer('api', 60, 100, false);
    expect(run.getState().transfers).toEqual({ api: { current: 60, total: 100 }, edge: { current: 5, total: 50 } });
    run.getState().applyTransfer('api', 100, 100, true);
    expect(run.getState().transfers).toEqual({ edge: { current: 5, total: 50 } });
  });
});
