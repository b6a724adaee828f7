// The services.yaml model after loading: every default applied, durations in milliseconds,
// relative paths resolved against the file's directory. The raw YAML shape is documented in
// docs/services-yaml.md and schema/services.schema.json; this is what the core consumes.

export type TargetType = 'Process' | 'Docker' | 'RemoteLan' | 'Wireguard';
export const TARGET_TYPES: readonly TargetType[] = ['Process', 'Docker', 'RemoteLan', 'Wireguard'];

export interface ProcessTarget {
  type: 'Process';
  /** Absolute path when written as a path (contains '/'), else a name looked up on PATH. */
  binary: string;
  args: string[];
  env: Record<string, string>;
  /** Absolute; defaults to the directory of services.yaml. */
  working_dir: string;
  /** Ports the process listens on (additive to the model); the first one is `<NAME>_PORT`. */
  ports: number[];
}

export interface DockerBuild {
  /** Absolute path of the build context. */
  context: string;
  dockerfile?: string;
}

export interface DockerTarget {
  type: 'Docker';
  image: string;
  env: Record<string, string>;
  /** As written: 80, "8080:80", "127.0.0.1:8080:80", "8080:80/udp". Parsed by the Docker executor. */
  ports: Array<number | string>;
  /** As written; relative bind-mount sources are made absolute by the loader. */
  volumes: string[];
  build?: DockerBuild;
  /** Replaces the image's CMD (Compose's `command`). */
  command?: string[];
  /** Replaces the image's ENTRYPOINT (and, as with Docker, its CMD unless `command` is given);
   * an empty list clears it. */
  entrypoint?: string[];
  /** Absolute path inside the container; default: the image's WORKDIR. */
  working_dir?: string;
}

/** How edges between a remote service and this machine are bridged: `auto` tunnels over the SSH
 * connection only where the direct address cannot work (a loopback-only listener, a container
 * published on 127.0.0.1, NAT), `always` tunnels every such edge, `never` never does. */
export type TunnelMode = 'auto' | 'always' | 'never';
export const TUNNEL_MODES: readonly TunnelMode[] = ['auto', 'always', 'never'];

export interface RemoteLanTarget {
  type: 'RemoteLan';
  host: string;
  user: string;
  binary: string;
  args: string[];
  env: Record<string, string>;
  /** The SSH port: `port` in services.yaml (`ssh_port` is accepted as its older spelling). */
  ssh_port: number;
  ports: number[];
  /** On the remote host; relative to the login user's home directory. Default: that home. */
  working_dir?: string;
  /** Absolute local path of a private key, tried after ssh-agent, before ~/.ssh's defaults. */
  identity_file?: string;
  /** Default 'auto'. */
  tunnel?: TunnelMode;
}

export interface WireguardTarget {
  type: 'Wireguard';
  /** The peer's address inside the tunnel (or a name resolving to it). */
  host: string;
  user: string;
  /** Absolute path of the package tarball. */
  package: string;
  env: Record<string, string>;
  /** The SSH port: `port` in services.yaml (`ssh_port` is accepted as its older spelling). */
  ssh_port: number;
  ports: number[];
  /** Absolute local path of a private key, tried after ssh-agent, before ~/.ssh's defaults. */
  identity_file?: string;
  /** Where releases live on the host: absolute, or relative to the login user's home (`~/x` is
   * written `x`). Default /opt/harness (DEFAULT_INSTALL_ROOT). */
  install_root?: string;
  /** Default 'auto': edges to this machine that cannot work directly are published on this
   * machine's tunnel address; `always` bridges every such edge over SSH; `never` neither. */
  tunnel?: TunnelMode;
}

export type ServiceTarget = ProcessTarget | DockerTarget | RemoteLanTarget | WireguardTarget;

export interface HealthTiming {
  /** Between probes once the service was healthy, and after start_period. */
  interval_ms: number;
  /** Between probes until the first success, within start_period. The loader always sets it;
   * when absent (configs built in code) it is min(25, interval_ms). */
  start_interval_ms?: number;
  timeout_ms: number;
  /** Consecutive failures (after start_period) before the service counts as unhealthy. */
  retries: number;
  /** Failures during this window after start do not count; readiness may still arrive early. */
  start_period_ms: number;
}

export type HealthCheck =
  | ({ type: 'tcp'; host?: string; port: number } & HealthTiming)
  | ({ type: 'http'; url: string; expect_status: number } & HealthTiming)
  | ({ type: 'command'; command: string[] } & HealthTiming)
  | ({ type: 'log'; pattern: string; stream: 'stdout' | 'stderr' | 'any' } & HealthTiming);

export type RestartPolicyName = 'no' | 'on-failure' | 'always';

export interface RestartPolicy {
  policy: RestartPolicyName;
  /** Restarts allowed before the service is marked failed; counted since the last healthy run. */
  max_retries: number;
  backoff_ms: number;
  max_backoff_ms: number;
}

export interface UiHints {
  position?: { x: number; y: number };
}

export interface ServiceConfig {
  name: string;
  target: ServiceTarget;
  dependencies: string[];
  health_check?: HealthCheck;
  restart: RestartPolicy;
  stop_signal: string;
  stop_grace_period_ms: number;
  ui?: UiHints;
}

/** A WireGuard tunnel declared in services.yaml (`networks:`), for machines where `wg show` is
 * missing or not permitted (a laptop with a GUI client). docs/wireguard.md. */
export interface DeclaredNetwork {
  name: string;
  type: 'wireguard';
  /** This machine's interface for it (`wg0`, `utun4`), when known. */
  interface?: string;
  /** This machine's address in the tunnel: what peers reach it at. */
  address: string;
  /** Ranges reached through the tunnel (the peers' allowed-ips), CIDR; a bare address is /32
   * (or /128). */
  peers: string[];
}

export interface ProjectConfig {
  /** Project name: `name:` in the file, else the directory name, sanitised. */
  name: string;
  /** Absolute path of services.yaml. */
  file: string;
  /** Directory of services.yaml; relative paths resolve against it. */
  dir: string;
  services: ServiceConfig[];
  /** `networks:`, when the file has one. */
  networks?: DeclaredNetwork[];
}

/** One problem in a services.yaml; all of them are reported at once. */
export interface ConfigProblem {
  file: string;
  /** 1-based; 0 when the problem has no single location (e.g. the file cannot be read). */
  line: number;
  column: number;
  /** Field path such as `services[2].target.binary` or `services.api.dependencies[0]`. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** `API` for service `api-server` → `API_SERVER`. */
export function envPrefix(serviceName: string): string {
  return serviceName.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
