// One compose service to one Harness Docker service (dependencies are added by the caller, which
// knows every service). Each compose field is mapped, or reported with the reason it is not.
import { get, type CNode } from './compose-tree.js';
import type { ServiceScope } from './context.js';
import { mapBuild } from './map-build.js';
import { mapEnvironment } from './map-environment.js';
import { mapHealthcheck } from './map-health.js';
import { mapLifecycle } from './map-lifecycle.js';
import { mapPorts } from './map-ports.js';
import { mapFileMounts, mapVolumes, type FileObject } from './map-volumes.js';
import { scalarText, shellWords } from './values.js';

const LIMITS = 'Harness sets no resource limits';
const SECURITY = 'Harness creates containers with the engine\'s default security settings';
const NAMESPACES = 'Harness gives each container its own namespaces';

/** Compose fields Harness has no equivalent for, with the reason shown in the loss line. */
const NOT_CONVERTED: Record<string, string> = {
  annotations: 'Harness sets no container annotations',
  attach: 'Harness always collects the container\'s output',
  blkio_config: LIMITS,
  cap_add: SECURITY,
  cap_drop: SECURITY,
  cgroup: NAMESPACES,
  cgroup_parent: 'Harness uses the engine\'s default cgroup parent',
  container_name: 'Harness names containers harness-<project>-<service>',
  cpu_count: LIMITS,
  cpu_percent: LIMITS,
  cpu_period: LIMITS,
  cpu_quota: LIMITS,
  cpu_rt_period: LIMITS,
  cpu_rt_runtime: LIMITS,
  cpu_shares: LIMITS,
  cpus: LIMITS,
  cpuset: LIMITS,
  credential_spec: SECURITY,
  develop: 'Compose Watch (develop) has no Harness equivalent',
  device_cgroup_rules: SECURITY,
  devices: 'Harness maps no host devices into containers',
  dns: 'Harness uses the engine\'s DNS settings',
  dns_opt: 'Harness uses the engine\'s DNS settings',
  dns_search: 'Harness uses the engine\'s DNS settings',
  domainname: 'the container keeps the engine\'s default host name',
  expose: 'Harness keeps no expose list; containers on the project network reach every port of each other anyway',
  external_links: 'Harness links no containers from outside the project',
  extra_hosts: 'Harness adds only host.docker.internal to /etc/hosts',
  gpus: 'Harness requests no GPUs',
  group_add: SECURITY,
  hostname: 'the container keeps the engine\'s default host name',
  init: 'Harness runs no init process in containers',
  ipc: NAMESPACES,
  isolation: 'Harness uses the engine\'s default isolation',
  label_file: 'Harness sets its own container labels only',
  labels: 'Harness sets its own container labels only',
  logging: 'Harness collects the container\'s output itself (harness logs); the engine\'s default log driver applies',
  mac_address: 'Harness lets the engine pick the MAC address',
  mem_limit: LIMITS,
  mem_reservation: LIMITS,
  mem_swappiness: LIMITS,
  memswap_limit: LIMITS,
  models: 'Harness provides no AI models',
  network_mode: 'every container joins the project network harness-<project>',
  oom_kill_disable: LIMITS,
  oom_score_adj: LIMITS,
  pid: NAMESPACES,
  pids_limit: LIMITS,
  platform: 'Harness pulls and runs images for the engine\'s own platform',
  post_start: 'Harness runs no lifecycle hooks',
  pre_stop: 'Harness runs no lifecycle hooks',
  privileged: SECURITY,
  provider: 'Harness runs no Compose providers',
  read_only: SECURITY,
  runtime: 'Harness uses the engine\'s default runtime',
  security_opt: SECURITY,
  shm_size: LIMITS,
  stdin_open: 'Harness attaches no standard input',
  storage_opt: LIMITS,
  sysctls: SECURITY,
  tmpfs: 'Harness mounts no tmpfs',
  tty: 'Harness allocates no terminal for containers',
  ulimits: LIMITS,
  use_api_socket: 'Harness does not mount the Docker socket',
  user: 'the container runs as the image\'s USER',
  userns_mode: NAMESPACES,
  uts: NAMESPACES,
  volumes_from: 'Harness mounts no volumes of other containers',
};

/** Fields mapped here or by the caller (depends_on, links, profiles, networks). */
const MAPPED = new Set([
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'volumes', 'working_dir', 'healthcheck',
  'restart', 'deploy', 'stop_signal', 'stop_grace_period', 'secrets', 'configs', 'depends_on', 'links', 'profiles',
  'networks', 'pull_policy', 'scale',
]);

export interface ServiceInput {
  /** Compose project name, for the image a build-only service is tagged with. */
  project: string;
  composeName: string;
  secrets: Map<string, FileObject | string>;
  configs: Map<string, FileObject | string>;
  namedVolumes: Set<string>;
}

export interface MappedService {
  raw: Record<string, unknown>;
  /** Compose declares a health check that is on. */
  healthy: boolean;
  envFiles: string[];
}

/** Undefined when there is nothing to run (neither image nor a build Harness can do). */
export function mapService(s: ServiceScope, input: ServiceInput): MappedService | undefined {
  const n = s.node;
  for (const e of n.entries) {
    if (MAPPED.has(e.key) || e.key.startsWith('x-')) continue;
    s.notConverted(s.child(n, e.key), NOT_CONVERTED[e.key] ?? `unknown Compose field "${e.key}"`);
  }
  const target: Record<string, unknown> = { type: 'Docker' };
  const imageNode = get(n, 'image');
  const buildNode = get(n, 'build');
  const build = buildNode ? mapBuild(buildNode, s) : undefined;
  const image = imageNode ? s.text(imageNode, 'an image name') : undefined;
  if (image === undefined && build === undefined) {
    const at = { line: s.line, path: n.path };
    if (!imageNode && !buildNode) s.notConverted(at, 'the service has neither image nor build; it is not imported');
    else s.notConverted(at, 'without an image or a local build there is nothing to run; the service is not imported');
    return undefined;
  }
  // Compose tags a build-only service's image <project>-<service>; so does the import.
  target.image = image ?? `${input.project}-${input.composeName}`.toLowerCase();
  if (build !== undefined) target.build = build;
  const pull = get(n, 'pull_policy');
  if (pull) {
    const p = scalarText(pull);
    const same = p === 'missing' || p === 'if_not_present' || (p === 'build' && build !== undefined);
    if (!same) s.notConverted(pull, `pull_policy "${p ?? ''}": Harness builds when build is given, else uses a local image, else pulls`);
  }
  const scale = get(n, 'scale');
  if (scale && scalarText(scale) !== '1') s.notConverted(scale, 'Harness runs one container per service');
  const entrypoint = get(n, 'entrypoint');
  if (entrypoint && !isNull(entrypoint)) {
    const words = s.words(entrypoint, shellWords);
    if (words) target.entrypoint = words;
  }
  const command = get(n, 'command');
  if (command && !isNull(command)) {
    const words = s.words(command, shellWords);
    if (words && words.length > 0) target.command = words;
    else if (words) s.notConverted(command, "an empty command; Harness uses the image's CMD");
  }
  const wd = get(n, 'working_dir');
  if (wd) {
    const dir = s.text(wd, 'a path');
    if (dir !== undefined && !dir.startsWith('/') && !dir.startsWith('$')) s.notConverted(wd, 'the working directory must be an absolute path in the container');
    else if (dir !== undefined) target.working_dir = dir;
  }
  const { env, files } = mapEnvironment(s);
  if (Object.keys(env).length > 0) target.env = env;
  const portsNode = get(n, 'ports');
  const ports = portsNode ? mapPorts(portsNode, s) : [];
  if (ports.length > 0) target.ports = ports;
  const volumesNode = get(n, 'volumes');
  const volumes = volumesNode ? mapVolumes(volumesNode, s, input.namedVolumes) : [];
  const secrets = get(n, 'secrets');
  if (secrets) volumes.push(...mapFileMounts(secrets, s, 'secret', input.secrets));
  const configs = get(n, 'configs');
  if (configs) volumes.push(...mapFileMounts(configs, s, 'config', input.configs));
  if (volumes.length > 0) target.volumes = volumes;
  const raw: Record<string, unknown> = { target };
  let healthy = false;
  const hc = get(n, 'healthcheck');
  if (hc) {
    const h = mapHealthcheck(hc, s);
    if (h.check) {
      raw.health_check = h.check;
      healthy = true;
    }
  }
  Object.assign(raw, mapLifecycle(s));
  for (const e of n.entries) if (e.key.startsWith('x-')) raw[e.key] = toPlain(e.value, s);
  return { raw, healthy, envFiles: files };
}

const isNull = (n: CNode): boolean => n.kind === 'scalar' && n.value === null;

/** An extension field's value as plain data, its strings' references rewritten like the rest. */
export function toPlain(n: CNode, s: { refs(at: { line: number; path: string }, raw: string): string }): unknown {
  if (n.kind === 'map') return Object.fromEntries(n.entries.map((e) => [e.key, toPlain(e.value, s)]));
  if (n.kind === 'seq') return n.items.map((it) => toPlain(it, s));
  return typeof n.value === 'string' ? s.refs(n, n.value) : n.value;
}
