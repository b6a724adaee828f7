// Builders for loaded configs (defaults applied, as the loader produces them), for tests.
import type { HealthCheck, ProjectConfig, RestartPolicy, ServiceConfig, ServiceTarget } from '../../../shared/config-types.js';

export interface ServiceSpec {
  deps?: string[];
  /** Node script run as `node -e <script>`. */
  script?: string;
  target?: ServiceTarget;
  ports?: number[];
  env?: Record<string, string>;
  health?: HealthCheck;
  restart?: Partial<RestartPolicy>;
  stopSignal?: string;
  graceMs?: number;
  cwd?: string;
}

export function service(name: string, spec: ServiceSpec = {}): ServiceConfig {
  const target: ServiceTarget = spec.target ?? {
    type: 'Process',
    binary: process.execPath,
    args: ['-e', spec.script ?? 'setInterval(() => {}, 1000)'],
    env: spec.env ?? {},
    working_dir: spec.cwd ?? process.cwd(),
    ports: spec.ports ?? [],
  };
  return {
    name,
    target,
    dependencies: spec.deps ?? [],
    ...(spec.health ? { health_check: spec.health } : {}),
    restart: { policy: 'no', max_retries: 5, backoff_ms: 250, max_backoff_ms: 10_000, ...spec.restart },
    stop_signal: spec.stopSignal ?? 'SIGTERM',
    stop_grace_period_ms: spec.graceMs ?? 2000,
  };
}

export function project(services: ServiceConfig[], dir = process.cwd(), name = 'test'): ProjectConfig {
  return { name, file: `${dir}/services.yaml`, dir, services };
}

export function tcpCheck(port: number, timing: Partial<Omit<HealthCheck, 'type'>> = {}): HealthCheck {
  return { type: 'tcp', host: '127.0.0.1', port, interval_ms: 20, timeout_ms: 500, retries: 3, start_period_ms: 10_000, ...timing } as HealthCheck;
}

/** A node script that listens on `port` after `delayMs` and logs when it does. */
export function listenAfter(port: number, delayMs: number): string {
  return `setTimeout(() => require('net').createServer((s) => { s.on('error', () => {}); s.end('hi\\n'); }).listen(${port}, '127.0.0.1', () => console.log('listening ${port}')), ${delayMs}); setInterval(() => {}, 1000);`;
}
