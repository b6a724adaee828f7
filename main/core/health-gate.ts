// What health says about one service's current instance: the HealthMonitor that runs its check
// (or follows the executor's native health), a verdict that came before the instance was known,
// and whether "running" still waits for a verdict before the service counts as ready.
import type { ServiceConfig } from '../../shared/config-types.js';
import type { HealthResult } from '../../shared/service-state.js';
import type { LogStore } from '../logs/log-store.js';
import type { RunningInstance, ServiceExecutor } from './executor.js';
import { HealthMonitor, type HealthVerdict } from './health-monitor.js';

/** Where the gate reports, each call tagged with the generation the instance was armed with. */
export interface HealthGateListener {
  result(gen: number, result: HealthResult): void;
  verdict(gen: number, verdict: HealthVerdict): void;
  /** The instance turned out to have no native health: ready as it runs. */
  ungated(gen: number): void;
}

export class HealthGate {
  private monitor: HealthMonitor | null = null;
  private pending: HealthVerdict | null = null;
  private open = false;
  private gen = 0;
  /** No health_check, but the executor may report the target's own health (a Docker image's
   * HEALTHCHECK): not ready while running until that says healthy, or says there is none. */
  private native = false;
  /** The current instance's last verdict said it never passed its check. */
  neverHealthy = false;

  constructor(
    private readonly logs: LogStore,
    private readonly now: () => number,
    private readonly listener: HealthGateListener,
  ) {}

  /** Whether a running instance waits for a healthy verdict before it counts as ready. */
  gates(config: ServiceConfig): boolean {
    return config.health_check !== undefined || this.native;
  }

  /**
   * Prepares for a new instance, before it is spawned, so a log-line check cannot miss a line
   * printed at once. Verdicts are held until `attach`.
   */
  arm(gen: number, config: ServiceConfig, executor: ServiceExecutor): void {
    this.reset();
    this.gen = gen;
    const { listener, logs } = this;
    const check = config.health_check;
    // Whether the instance has native health is known only once it runs.
    this.native = check === undefined && typeof executor.watchNativeHealth === 'function';
    if (!check && !this.native) return;
    // Callbacks of a monitor that was replaced or stopped are dropped here too, not only by it.
    const monitor: HealthMonitor = new HealthMonitor({
      service: config,
      check,
      executor,
      onLogLine: (l) => logs.onLine(l),
      onResult: (result) => {
        if (this.monitor === monitor) listener.result(gen, result);
      },
      onVerdict: (verdict) => {
        if (this.monitor !== monitor) return;
        // A log line can match while the executor is still finishing its start; apply it once running.
        if (this.open) listener.verdict(gen, verdict);
        else this.pending = verdict;
      },
      onNoNativeHealth: () => {
        if (this.monitor !== monitor || !this.native) return;
        this.native = false;
        listener.ungated(gen);
      },
      now: this.now,
    });
    this.monitor = monitor;
  }

  /** The instance runs: probing starts, and a verdict that came early is delivered now. */
  attach(instance: RunningInstance): void {
    this.monitor?.attach(instance);
    this.open = true;
    const early = this.pending;
    this.pending = null;
    if (early) this.listener.verdict(this.gen, early);
  }

  /** The instance is gone or being stopped: no more probes or verdicts. */
  disarm(): void {
    this.monitor?.stop();
    this.monitor = null;
  }

  /** Back to "no instance": nothing armed, nothing held. */
  reset(): void {
    this.disarm();
    this.pending = null;
    this.open = false;
    this.native = false;
    this.neverHealthy = false;
  }
}
