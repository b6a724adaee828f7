// Reconnect delays: exponential from `initialDelayMs`, capped at `maxDelayMs`, with ±20% jitter
// so that hosts lost together (a switch reboot) do not reconnect in lockstep.
export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Attempts before giving up (state `closed`); Infinity keeps trying until close(). */
  maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 250, maxDelayMs: 8000, maxAttempts: Infinity };

/** Delay before attempt `n` (1-based) of a reconnect series. */
export function reconnectDelay(policy: ReconnectPolicy, n: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, n - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const timer = setTimeout(done, ms);
    function done() { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}
