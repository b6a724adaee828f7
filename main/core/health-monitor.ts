// Runs one service instance's health check and turns probe results into health transitions.
// Probes (tcp/http/command) go through the executor, which knows how to reach its target; the
// first one fires the moment the instance is spawned and the next one a delay after the previous
// one finished, so probes never pile up. The delay is `start_interval_ms` until the first success
// (while inside start_period), so readiness is seen within ~start_interval, then `interval_ms`,
// which only has to notice a failure (same split as Docker's start_interval). Log checks watch the LogStore instead: ready on
// the first matching line, no polling at all.
//
// Semantics (docs/services-yaml.md describes them for users):
// - a failure inside `start_period_ms` does not count, unless the instance was healthy already;
// - after that, `retries` consecutive counted failures make the instance unhealthy; if it was
//   never healthy, the verdict carries `neverHealthy` (the start of its dependents fails);
// - results are reported only when ok/not-ok changes (and the first one), to avoid flooding;
// - log checks never go from healthy to unhealthy; one that has not matched by
//   start_period + retries × interval is reported never-healthy (a start must end), and still
//   becomes healthy if the line comes later.
// - without a check, the monitor follows the executor's native health (a Docker image's
//   HEALTHCHECK): the engine applies its own interval/retries/start period, so each result it
//   reports is a verdict (healthy, or unhealthy with the engine's message). When the instance has
//   no native health, `onNoNativeHealth` tells the manager it is ready once running.
import type { HealthCheck, ServiceConfig } from '../../shared/config-types.js';
import type { LogLine } from '../../shared/events.js';
import type { HealthResult } from '../../shared/service-state.js';
import type { RunningInstance, ServiceExecutor } from './executor.js';

export type ProbeCheck = Exclude<HealthCheck, { type: 'log' }>;

/** The loader default for start_interval (see main/config/fields.ts). */
export const DEFAULT_START_INTERVAL_MS = 25;

/** start_interval_ms as configured, else the loader's default rule: min(25, interval_ms). */
export function startInterval(check: HealthCheck): number {
  return check.start_interval_ms ?? Math.min(DEFAULT_START_INTERVAL_MS, check.interval_ms);
}

export interface HealthVerdict {
  status: 'healthy' | 'unhealthy';
  /** Set for unhealthy verdicts. */
  error?: string;
  /** The instance never passed its check (its dependents' start fails). */
  neverHealthy?: boolean;
}

export interface HealthMonitorOptions {
  service: ServiceConfig;
  /** Undefined: follow the executor's watchNativeHealth instead (it must have one). */
  check: HealthCheck | undefined;
  executor: ServiceExecutor;
  /** Subscribes to log lines (LogStore.onLine); needed for log checks. */
  onLogLine: (listener: (line: LogLine) => void) => () => void;
  /** Called with the first result and whenever ok/not-ok flips. */
  onResult: (result: HealthResult) => void;
  onVerdict: (verdict: HealthVerdict) => void;
  /** Native mode: the instance has no health signal of its own. */
  onNoNativeHealth?: () => void;
  now?: () => number;
}

export class HealthMonitor {
  private readonly check: HealthCheck | undefined;
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private startedAt: number;
  private instance: RunningInstance | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private lastOk: boolean | null = null;
  private healthy: boolean | null = null;
  private everHealthy = false;
  private failures = 0;
  private stopped = false;

  constructor(private readonly opts: HealthMonitorOptions) {
    this.check = opts.check;
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    // A log check listens from before the spawn, so a line printed at once is not missed.
    if (this.check?.type === 'log') this.watchLog(this.check);
  }

  get isHealthy(): boolean {
    return this.healthy === true;
  }

  /** The instance exists: probing starts now (first probe immediately). */
  attach(instance: RunningInstance): void {
    if (this.stopped) return;
    this.instance = instance;
    this.startedAt = this.now();
    const c = this.check;
    if (c === undefined) {
      this.watchNative(instance);
      return;
    }
    if (c.type === 'log') {
      if (!this.everHealthy) {
        const deadline = c.start_period_ms + Math.max(1, c.retries) * c.interval_ms;
        this.timer = setTimeout(() => this.logDeadline(c), deadline);
      }
      return;
    }
    this.probe(c);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private probe(check: ProbeCheck): void {
    const instance = this.instance;
    if (this.stopped || !instance) return;
    const ac = new AbortController();
    const onStop = () => ac.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    let timeout: NodeJS.Timeout | undefined;
    // The executor should honour the signal; the race makes sure a probe that does not still
    // counts as failed after timeout_ms.
    const timedOut = new Promise<HealthResult>((resolve) => {
      timeout = setTimeout(() => {
        ac.abort();
        resolve({ ok: false, message: `no answer within ${check.timeout_ms} ms`, at: this.now() });
      }, check.timeout_ms);
    });
    const failed = (err: unknown): HealthResult => ({ ok: false, message: (err as Error)?.message ?? String(err), at: this.now() });
    let attempt: Promise<HealthResult>;
    try {
      // Called synchronously: the first probe really leaves at spawn time.
      attempt = Promise.resolve(this.opts.executor.healthCheck(this.opts.service, instance, check, ac.signal)).catch(failed);
    } catch (err) {
      attempt = Promise.resolve(failed(err));
    }
    void Promise.race([attempt, timedOut]).then((result) => {
      clearTimeout(timeout);
      this.abort.signal.removeEventListener('abort', onStop);
      if (this.stopped) return;
      this.record(result, check);
      if (this.stopped) return;
      this.timer = setTimeout(() => this.probe(check), this.nextDelay(check));
    });
  }

  /** start_interval until the first success, bounded by start_period; interval after that. */
  private nextDelay(check: ProbeCheck): number {
    const starting = !this.everHealthy && this.now() - this.startedAt < check.start_period_ms;
    return starting ? startInterval(check) : check.interval_ms;
  }

  private record(result: HealthResult, check: HealthCheck): void {
    if (this.lastOk !== result.ok) {
      this.lastOk = result.ok;
      this.opts.onResult(result);
    }
    if (result.ok) {
      this.failures = 0;
      if (this.healthy !== true) {
        this.healthy = true;
        this.everHealthy = true;
        this.opts.onVerdict({ status: 'healthy' });
      }
      return;
    }
    const inStartPeriod = !this.everHealthy && this.now() - this.startedAt < check.start_period_ms;
    if (inStartPeriod) return;
    this.failures++;
    if (this.failures >= Math.max(1, check.retries) && this.healthy !== false) {
      this.healthy = false;
      this.opts.onVerdict(
        this.everHealthy
          ? { status: 'unhealthy', error: `health check failing ${this.failures} times: ${result.message}` }
          : {
              status: 'unhealthy',
              neverHealthy: true,
              error: `never became healthy: ${result.message} (${this.failures} failed checks after a ${check.start_period_ms} ms start period)`,
            },
      );
    }
  }

  private watchNative(instance: RunningInstance): void {
    const { executor, service } = this.opts;
    const signal = this.abort.signal;
    const onResult = (result: HealthResult): void => {
      if (!this.stopped) this.nativeResult(result);
    };
    let watching: Promise<boolean>;
    try {
      if (!executor.watchNativeHealth) throw new Error(`the ${executor.type} executor has no native health`);
      watching = executor.watchNativeHealth(service, instance, onResult, signal);
    } catch (err) {
      watching = Promise.reject(err);
    }
    watching.then(
      (has) => {
        if (!has && !this.stopped) this.opts.onNoNativeHealth?.();
      },
      (err: unknown) => {
        if (this.stopped) return;
        // Not knowing whether the image gates readiness must not pass as "ready": fail visibly.
        this.nativeResult({ ok: false, message: `cannot follow the image's health status: ${(err as Error)?.message ?? String(err)}`, at: this.now() });
      },
    );
  }

  /** One engine-reported status: already a verdict (the engine applied its own retries). */
  private nativeResult(result: HealthResult): void {
    if (this.lastOk !== result.ok) {
      this.lastOk = result.ok;
      this.opts.onResult(result);
    }
    if (result.ok) {
      if (this.healthy === true) return;
      this.healthy = true;
      this.everHealthy = true;
      this.opts.onVerdict({ status: 'healthy' });
      return;
    }
    if (this.healthy === false) return;
    this.healthy = false;
    this.opts.onVerdict(
      this.everHealthy
        ? { status: 'unhealthy', error: result.message }
        : { status: 'unhealthy', neverHealthy: true, error: `never became healthy: ${result.message}` },
    );
  }

  private watchLog(check: Extract<HealthCheck, { type: 'log' }>): void {
    const name = this.opts.service.name;
    const re = new RegExp(check.pattern);
    this.unsubscribe = this.opts.onLogLine((line) => {
      if (line.service !== name || line.stream === 'system') return;
      if (check.stream !== 'any' && line.stream !== check.stream) return;
      if (!re.test(line.line)) return;
      this.unsubscribe?.();
      this.unsubscribe = null;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      // Deferred: the line arrives inside the LogStore's emit loop, and the verdict may start
      // dependents; do that outside the log path.
      queueMicrotask(() => {
        if (this.stopped) return;
        this.record({ ok: true, message: `log line matched /${check.pattern}/: ${line.line.slice(0, 200)}`, at: line.ts }, check);
      });
    });
  }

  private logDeadline(check: Extract<HealthCheck, { type: 'log' }>): void {
    this.timer = null;
    if (this.stopped || this.everHealthy) return;
    this.lastOk = false;
    const message = `no ${check.stream === 'any' ? '' : `${check.stream} `}line matched /${check.pattern}/`;
    this.opts.onResult({ ok: false, message, at: this.now() });
    this.healthy = false;
    this.opts.onVerdict({
      status: 'unhealthy',
      neverHealthy: true,
      error: `never became healthy: ${message} within ${check.start_period_ms + Math.max(1, check.retries) * check.interval_ms} ms`,
    });
  }
}
