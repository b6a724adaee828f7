// The one table of keys the loader accepts in each kind of object. The validator checks unknown
// keys against it (with "did you mean"), and the schema test checks that
// schema/services.schema.json describes exactly these keys, so the two cannot drift apart.
import type { HealthCheckType } from '../../shared/config-fields.js';
import type { TargetType } from '../../shared/config-types.js';

export { HEALTH_CHECK_TYPES, LOG_STREAMS, RESTART_POLICIES, STOP_SIGNALS, type HealthCheckType } from '../../shared/config-fields.js';

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
  project: spec(['name', 'services', 'networks'], ['services']),
  /** One entry of `networks:` (normalise-networks.ts). */
  network: spec(['type', 'interface', 'address', 'peers'], ['type', 'address', 'peers']),
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
    Wireguard: spec(
      ['type', 'host', 'user', 'package', 'env', 'port', 'ssh_port', 'ports', 'identity_file', 'install_root', 'tunnel'],
      ['type', 'host', 'user', 'package'],
    ),
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

export const DEFAULTS = {
  /** Probes run every `start_interval` until the first success (readiness is detected within
   * ~25 ms), then every `interval`: once healthy, probing only watches for a failure, and 1 s
   * keeps 200 services from spending a core on connects (docs/services-yaml.md, Health checks). */
  health: { interval_ms: 1000, start_interval_ms: 25, timeout_ms: 1000, retries: 3, start_period_ms: 60_000 },
  /** Probes more often than this would be a hot loop. */
  minIntervalMs: 10,
  /** Restart delays (`backoff`, `max_backoff`) shorter than this would be one too: `backoff: 0`
   * restarted a crashing service 212 times a second (issue 8). */
  minBackoffMs: 10,
  restart: { policy: 'no', max_retries: 5, backoff_ms: 250, max_backoff_ms: 10_000 },
  stop_signal: 'SIGTERM',
  stop_grace_period_ms: 10_000,
  ssh_port: 22,
} as const;

/** Limits that keep a hostile file from hanging or exhausting the loader: with them every step
 * is linear in the file and the whole load of any file under maxFileBytes stays well under a
 * second (bench/loader-fuzz.mjs measures it). */
export const LIMITS = {
  maxFileBytes: 2 * 1024 * 1024,
  /** Lexical tokens yaml may parse. Its parser costs 2-3 µs of CPU a token here, so this bounds
   * the parse of a dense file, which bytes alone do not (a 2 MiB list of numbers is a million
   * items and took 5-10 s). examples/demo has 509 tokens for 4 services; 1000 services written
   * like them, comments included, have about 117,000. */
  maxYamlTokens: 150_000,
  /** Aliases expanded, counting those met again inside expanded content (a `<<: *defaults` in
   * each of 1000 services is 1000). */
  maxAliasExpansions: 10_000,
  /** Nodes built, including copies made by aliases and keys considered by `<<` merges. */
  maxNodes: 200_000,
  maxDepth: 64,
  maxServices: 1000,
  /** Problems listed; the rest are counted in one final "… and N more problems" line. */
  maxProblems: 100,
} as const;
