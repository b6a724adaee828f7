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
