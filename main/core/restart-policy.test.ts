import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../../shared/config-types.js';
import { exitOutcome } from './restart-policy.js';

const onFailure: RestartPolicy = { policy: 'on-failure', max_retries: 2, backoff_ms: 100, max_backoff_ms: 150 };

describe('exitOutcome', () => {
  it('schedules a restart with the backoff of the attempt, capped', () => {
    expect(exitOutcome(onFailure, { code: 1, signal: null }, 0, false)).toEqual({
      status: 'exited',
      error: 'exited with code 1',
      log: 'exited with code 1; restarting in 100 ms (attempt 1 of 2)',
      restartInMs: 100,
    });
    expect(exitOutcome(onFailure, { code: null, signal: 'SIGKILL' }, 1, false)).toMatchObject({ restartInMs: 150, log: 'killed by SIGKILL; restarting in 150 ms (attempt 2 of 2)' });
  });

  it('gives up after max_retries with the crash-loop message', () => {
    expect(exitOutcome(onFailure, { code: 3, signal: null }, 2, false)).toEqual({
      status: 'failed',
      error: 'crash loop: exited 3 times, last exit code 3',
      log: 'crash loop: exited 3 times, last exit code 3; giving up (restart policy on-failure, max_retries 2)',
    });
    expect(exitOutcome(onFailure, { code: null, signal: 'SIGSEGV' }, 2, false).error).toBe('crash loop: exited 3 times, last exit code null (SIGSEGV)');
  });

  it('records a clean exit without an error, and never restarts once the manager shut down', () => {
    expect(exitOutcome(onFailure, { code: 0, signal: null }, 0, false)).toEqual({ status: 'exited', error: undefined, log: 'exited with code 0' });
    expect(exitOutcome({ ...onFailure, policy: 'always' }, { code: 1, signal: null }, 0, true)).toEqual({ status: 'exited', error: 'exited with code 1', log: 'exited with code 1' });
  });
});
