// The one table of keys the loader accepts in each kind of object. The validator checks unknown
// keys against it (with "did you mean"), and the schema test checks that
// schema/services.schema.json describes exactly these keys, so the two cannot drift apart.
import type { TargetType } from '../../shared/config-types.js';

export type HealthCheckType = 'tcp' | 'http' | 'command' | 'log';
export const HEALTH_CHECK_TYPES: readonly HealthCheckType[] = ['tcp', 'http', 'command', 'log'];

export const HEALTH_TIMING_KEYS = ['interval', 'start_interval', 'timeout', 'retries', 'start_period'] as const;

export interface FieldSpec {
  /** Every accepted key. */
  keys: readonly string[];
  /** Keys that must be present. */
  required: readonly string[];
}

const spec = (keys: readonly string[], required: readonly string[] = []): FieldSpec => ({ keys, required });

export const FIELDS = {
  /** Top level; keys starting with `x-` are also accepted and ignored (extension fields). */
  project: spec(['name', 'services'], ['services']),
  /** A service; `name` is required in list form, optional (must equal the key) in map form.
   * Keys starting with `x-` are accepted and ignored here too. */
  service: spec(
    ['name', 'target', 'dependencies', 'health_check', 'restart', 'stop_signal', 'stop_grace_period', 'ui'],
    ['target'],
  ),
  target: {
    Process: spec(['type', 'binary', 'args', 'env', 'working_dir', 'ports'], ['type', 'binary']),
    Docker: spec(['type', 'image', 'env', 'ports', 'volumes', 'build', 'command', 'entrypoint', 'working_dir'], ['type', 'image']),
    RemoteLan: spec(
      ['type', 'host', 'user', 'binary', 'args', 'env', 'working_dir', 'port', 'ssh_port', 'identity_file', 'ports', 'tunnel'],
      ['type', 'host', 'user', 'binary'],
    ),
    Wireguard: spec(['type', 'host', 'user', 'package', 'env', 'ssh_port', 'ports'], ['type', 'host', 'user', 'package']),
  } satisfies Record<TargetType, FieldSpec>,
  health_check: {
    tcp: spec(['type', 'port', 'host', ...HEALTH_TIMING_KEYS], ['type']),
    http: spec(['type', 'url', 'port', 'path', 'expect_status', ...HEALTH_TIMING_KEYS], ['type']),
    command: spec(['type', 'command', ...HEALTH_TIMING_KEYS], ['type', 'command']),
    log: spec(['type', 'pattern', 'stream', ...HEALTH_TIMING_KEYS], ['type', 'pattern']),
  } satisfies Record<HealthCheckType, FieldSpec>,
  restart: spec(['policy', 'max_retries', 'backoff', 'max_backoff'], ['policy']),
  build: spec(['context', 'dockerfile'], ['context']),
  ui: spec(['position']),
  position: spec(['x', 'y'], ['x', 'y']),
} as const;

export const RESTART_POLICIES = ['no', 'on-failure', 'always'] as const;
export const LOG_STREAMS = ['stdout', 'stderr', 'any'] as const;

/** Signals a service may be stopped with. A fixed POSIX list, so a file's validity does not
 * depend on the platform validating it. */
export const STOP_SIGNALS = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGABRT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGALRM',
  'SIGWINCH', 'SIGPWR', 'SIGSTOP', 'SIGTSTP', 'SIGCONT',
] as const;

export const DEFAULTS = {
  /** Probes run every `start_interval` until the first success (readiness is detected within
   * ~25 ms), then every `interval`: once healthy, probing only watches for a failure, and 1 s
   * keeps 200 services from spending a core on connects (docs/services-yaml.md, Health checks). */
  health: { interval_ms: 1000, start_interval_ms: 25, timeout_ms: 1000, retries: 3, start_period_ms: 60_000 },
  /** Probes more often than this would be a hot loop. */
  minIntervalMs: 10,
  restart: { policy: 'no', max_retries: 5, backoff_ms: 250, max_backoff_ms: 10_000 },
  stop_signal: 'SIGTERM',
  stop_grace_period_ms: 10_000,
  ssh_port: 22,
} as const;

/** Limits that keep a hostile file from hanging or exhausting the loader. */
export const LIMITS = {
  maxFileBytes: 2 * 1024 * 1024,
  /** As yaml's own `maxAliasCount`. */
  maxAliasCount: 100,
  /** Nodes visited after alias and merge expansion. */
  maxNodes: 200_000,
  maxDepth: 64,
  maxServices: 1000,
} as const;
