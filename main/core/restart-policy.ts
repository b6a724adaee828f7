// Whether and when an instance that ended by itself is started again.
import type { RestartPolicy } from '../../shared/config-types.js';
import type { ExitInfo } from './executor.js';

/** Services without a health check count as having started well after running this long. */
export const STABLE_RUN_MS = 10_000;

export type RestartDecision =
  | { kind: 'none' }
  | { kind: 'restart'; delayMs: number; attempt: number }
  | { kind: 'crash-loop'; exits: number };

export function isFailure(exit: ExitInfo): boolean {
  return exit.code !== 0 || exit.signal !== null || exit.error !== undefined;
}

/** `consecutive`: restarts since the instance last became healthy (or ran stably). */
export function decideRestart(policy: RestartPolicy, exit: ExitInfo, consecutive: number): RestartDecision {
  const wanted = policy.policy === 'always' || (policy.policy === 'on-failure' && isFailure(exit));
  if (!wanted) return { kind: 'none' };
  if (consecutive >= policy.max_retries) return { kind: 'crash-loop', exits: consecutive + 1 };
  return { kind: 'restart', delayMs: backoffDelay(policy, consecutive), attempt: consecutive + 1 };
}

/** `backoff_ms × 2^n`, capped at `max_backoff_ms`. */
export function backoffDelay(policy: RestartPolicy, n: number): number {
  return Math.min(policy.backoff_ms * 2 ** Math.min(n, 30), policy.max_backoff_ms);
}

export function describeExit(exit: ExitInfo): string {
  if (exit.error) return exit.error;
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code === null) return 'ended (exit code unknown)';
  return `exited with code ${exit.code}`;
}

/** What an exit nobody asked for leads to: the line logged, the status and error published, and
 * the delay of the restart when one is due. */
export interface ExitOutcome {
  status: 'exited' | 'failed';
  error: string | undefined;
  log: string;
  restartInMs?: number;
}

/** `final`: the manager has shut down, so nothing is restarted whatever the policy says. */
export function exitOutcome(policy: RestartPolicy, exit: ExitInfo, consecutive: number, final: boolean): ExitOutcome {
  const what = describeExit(exit);
  const decision = final ? { kind: 'none' as const } : decideRestart(policy, exit, consecutive);
  if (decision.kind === 'restart') {
    return {
      status: 'exited',
      error: what,
      log: `${what}; restarting in ${decision.delayMs} ms (attempt ${decision.attempt} of ${policy.max_retries})`,
      restartInMs: decision.delayMs,
    };
  }
  if (decision.kind === 'crash-loop') {
    const last = exit.code !== null ? `last exit code ${exit.code}` : `last exit code null (${exit.signal ?? exit.error ?? 'unknown'})`;
    const error = `crash loop: exited ${decision.exits} times, ${last}`;
    return { status: 'failed', error, log: `${error}; giving up (restart policy ${policy.policy}, max_retries ${policy.max_retries})` };
  }
  return { status: 'exited', error: exit.code === 0 && !exit.signal && !exit.error ? undefined : what, log: what };
}

/** One service's restart bookkeeping: the count that drives the backoff, the pending restart,
 * and the timer after which a run without a health check counts as a good start. */
export class RestartBackoff {
  /** Restarts since the service last became healthy (or ran stably). */
  consecutive = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;

  get pending(): boolean {
    return this.restartTimer !== null;
  }

  /** Calls `restart` after `delayMs`, as one more consecutive restart. */
  schedule(delayMs: number, restart: () => void): void {
    this.consecutive++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      restart();
    }, delayMs);
  }

  /** Resets the count after STABLE_RUN_MS if `stillThere()` then says the same instance runs. */
  countStableRun(stillThere: () => boolean): void {
    this.stableTimer = setTimeout(() => {
      this.stableTimer = null;
      if (stillThere()) this.consecutive = 0;
    }, STABLE_RUN_MS);
    this.stableTimer.unref?.();
  }

  /** Drops the pending restart and the stable-run timer (the count stays). */
  cancel(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.restartTimer = null;
    this.stableTimer = null;
  }
}
