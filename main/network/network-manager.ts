// Where each service runs and how each dependency edge is reached. The core asks it for the
// environment to inject before a start (`<DEP>_ADDR`, `<DEP>_PORT`, documented in
// docs/environment.md); the UI asks it for the topology. Resolution rules live in resolvers
// registered per (from kind, to kind), so Docker and remote support plug in from their own files.
import { envPrefix, type ServiceConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { hostname } from 'node:os';
import type { RemoteHostInfo, ResolvedEdge, ServiceLocation, TopologyContribution, TopologySnapshot, WireGuardTopology } from '../../shared/network-types.js';
import { localInterfaces } from './local-interfaces.js';
import { localToHost, localToLocal } from './local-resolvers.js';
import {
  HOST_ENDPOINT,
  describeLocation,
  type Endpoint,
  type LocationKind,
  type LocationResolver,
  type ResolveRequest,
} from './location-resolver.js';

/** Fields that may be learned after registration, e.g. a container's IP once it runs. */
export interface LocationPatch {
  kind?: LocationKind;
  network?: string;
  ip?: string;
  host?: string;
  via?: string;
}

export interface NetworkManagerOptions {
  /** Project name; Docker services default to the network `harness-<project>`. */
  project: string;
  /** Extra resolvers, e.g. from the Docker executor; they replace built-ins for the same pair. */
  resolvers?: Array<{ from: LocationKind; to: LocationKind; resolver: LocationResolver }>;
  /** Where a service runs before it starts, when its executor knows better than the default by
   * target type; undefined keeps the default. */
  locationOf?: (config: ServiceConfig) => ServiceLocation | undefined;
  /** The latest WireGuard detection (WireGuardDetector.last()), shown in the topology. */
  wireguard?: () => WireGuardTopology | undefined;
  /** The hosts remote services run on, for the topology (from the executors that connect there). */
  hosts?: () => RemoteHostInfo[];
  /** Parts of the topology executors know (Docker networks), merged by `snapshot()`. */
  contributors?: Array<() => TopologyContribution | undefined | Promise<TopologyContribution | undefined>>;
  /** How long `snapshot()` waits for one contributor before leaving it out. Default 1500 ms. */
  contributorTimeoutMs?: number;
}

const CONTRIBUTOR_TIMEOUT_MS = 1500;

interface Registered {
  config: ServiceConfig;
  location: ServiceLocation;
}

export class NetworkManager {
  private readonly services = new Map<string, Registered>();
  private readonly resolvers = new Map<string, LocationResolver>();
  private project: string;
  private readonly locationOf: NetworkManagerOptions['locationOf'];
  private readonly wireguard: NetworkManagerOptions['wireguard'];
  private readonly hosts: NetworkManagerOptions['hosts'];
  private readonly contributors: NonNullable<NetworkManagerOptions['contributors']>;
  private readonly contributorTimeoutMs: number;

  constructor(options: NetworkManagerOptions) {
    this.project = options.project;
    this.locationOf = options.locationOf;
    this.wireguard = options.wireguard;
    this.hosts = options.hosts;
    this.contributors = options.contributors ?? [];
    this.contributorTimeoutMs = options.contributorTimeoutMs ?? CONTRIBUTOR_TIMEOUT_MS;
    this.registerResolver('local', 'local', localToLocal);
    this.registerResolver('local', 'lan', localToHost);
    this.registerResolver('local', 'wireguard', localToHost);
    for (const r of options.resolvers ?? []) this.registerResolver(r.from, r.to, r.resolver);
  }

  setProjectName(project: string): void {
    this.project = project;
  }

  /** The network Docker services of this project join by default. */
  dockerNetworkName(): string {
    return `harness-${this.project}`;
  }

  /** Adds or replaces the resolver for one pair; returns a function that removes it again. */
  registerResolver(from: LocationKind, to: LocationKind, resolver: LocationResolver): () => void {
    const key = pairKey(from, to);
    this.resolvers.set(key, resolver);
    return () => {
      if (this.resolvers.get(key) === resolver) this.resolvers.delete(key);
    };
  }

  /** Registers (or re-registers after a config change) a service at its location. */
  registerService(config: ServiceConfig, location?: ServiceLocation): ServiceLocation {
    const loc = location ?? this.defaultLocation(config);
    this.services.set(config.name, { config, location: loc });
    return loc;
  }

  unregisterService(name: string): void {
    this.services.delete(name);
  }

  /** Merges what was learned about a service's location (same kind), or moves it (new kind). */
  updateLocation(name: string, patch: LocationPatch): ServiceLocation {
    const reg = this.require(name);
    const merged = { ...(patch.kind && patch.kind !== reg.location.kind ? {} : reg.location), ...dropUndefined(patch) };
    const loc = validLocation(merged);
    if (!loc) {
      throw new HarnessError('BAD_REQUEST', `${name}: incomplete location ${JSON.stringify(merged)} (a docker location needs a network, lan/wireguard a host)`);
    }
    reg.location = loc;
    return loc;
  }

  location(name: string): ServiceLocation | undefined {
    return this.services.get(name)?.location;
  }

  /** How `from` reaches its dependency `dep`. Throws a HarnessError when it cannot. */
  resolveServiceIp(from: string, dep: string): ResolvedEdge {
    const a = this.require(from);
    return this.resolveEdge({ name: from, config: a.config, location: a.location }, dep);
  }

  /** How this machine (the CLI, the UI's links) reaches a service; undefined when unknown. */
  resolveFromHost(name: string): ResolvedEdge | undefined {
    try {
      return this.resolveEdge({ name: HOST_ENDPOINT, location: { kind: 'local' } }, name);
    } catch {
      return undefined;
    }
  }

  /** Runs the asynchronous preparation of every resolver `name`'s dependencies go through. */
  async prepare(name: string): Promise<void> {
    const a = this.require(name);
    for (const dep of a.config.dependencies) {
      const req = this.request({ name, config: a.config, location: a.location }, dep);
      await this.resolverFor(req).prepare?.(req);
    }
  }

  /** Variables injected into `name` before it starts: `<DEP>_ADDR` and, with a port, `<DEP>_PORT`. */
  envFor(name: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const dep of this.require(name).config.dependencies) {
      const edge = this.resolveServiceIp(name, dep);
      const prefix = envPrefix(dep);
      env[`${prefix}_ADDR`] = edge.address;
      if (edge.port !== undefined) env[`${prefix}_PORT`] = String(edge.port);
    }
    return env;
  }

  topology(): TopologySnapshot {
    const edges: ResolvedEdge[] = [];
    for (const [name, reg] of this.services) {
      for (const dep of reg.config.dependencies) {
        try {
          edges.push(this.resolveServiceIp(name, dep));
        } catch (err) {
          edges.push({ from: name, to: dep, address: '', warning: (err as Error).message });
        }
      }
    }
    const wireguard = this.wireguard?.();
    const hosts = this.hosts?.() ?? [];
    return {
      interfaces: localInterfaces(wireguard),
      services: [...this.services].map(([name, reg]) => ({ name, location: reg.location })),
      edges,
      ...(wireguard ? { wireguard } : {}),
      ...(hosts.length > 0 ? { hosts } : {}),
    };
  }

  /**
   * The topology with what the contributors know (Docker networks with subnet and gateway) and
   * this machine's name: what `network.topology` answers. A contributor that fails or
   * takes longer than the timeout is left out of this snapshot, so one slow engine or host never
   * holds the view.
   */
  async snapshot(): Promise<TopologySnapshot> {
    // Contributors first: one may refresh what `topology()` reads (the WireGuard executor runs a
    // detection, so a peer's handshake is as of now rather than as of the last start).
    const parts = await Promise.all(this.contributors.map((c) => withTimeout(c, this.contributorTimeoutMs)));
    const base = this.topology();
    const dockerNetworks = new Map<string, NonNullable<TopologyContribution['dockerNetworks']>[number]>();
    for (const part of parts) {
      for (const n of part?.dockerNetworks ?? []) dockerNetworks.set(n.name, { ...dockerNetworks.get(n.name), ...n });
    }
    // Every network a service is located on has a group, known to an executor or not.
    for (const s of base.services) {
      if (s.location.kind === 'docker' && !dockerNetworks.has(s.location.network)) dockerNetworks.set(s.location.network, { name: s.location.network });
    }
    return {
      ...base,
      hostname: hostname(),
      ...(dockerNetworks.size > 0 ? { dockerNetworks: [...dockerNetworks.values()] } : {}),
    };
  }

  private defaultLocation(config: ServiceConfig): ServiceLocation {
    const known = this.locationOf?.(config);
    if (known) return known;
    const t = config.target;
    switch (t.type) {
      case 'Process':
        return { kind: 'local' };
      case 'Docker':
        return { kind: 'docker', network: this.dockerNetworkName() };
      case 'RemoteLan':
        return { kind: 'lan', host: t.host };
      case 'Wireguard':
        return { kind: 'wireguard', host: t.host };
    }
  }

  private require(name: string): Registered {
    const reg = this.services.get(name);
    if (!reg) throw new HarnessError('NOT_FOUND', `network: unknown service "${name}"`);
    return reg;
  }

  private request(from: Endpoint, dep: string): ResolveRequest {
    const b = this.services.get(dep);
    if (!b) throw new HarnessError('NOT_FOUND', `${from.name}: dependency "${dep}" is not a known service`);
    return { from, to: { name: dep, config: b.config, location: b.location } };
  }

  private resolverFor(req: ResolveRequest): LocationResolver {
    const resolver = this.resolvers.get(pairKey(req.from.location.kind, req.to.location.kind));
    if (!resolver) {
      throw new HarnessError(
        'UNAVAILABLE',
        `${req.from.name} (${describeLocation(req.from.location)}) cannot reach ${req.to.name} ` +
          `(${describeLocation(req.to.location)}): no route between these locations is supported yet`,
        { from: req.from.name, to: req.to.name, fromLocation: req.from.location, toLocation: req.to.location },
      );
    }
    return resolver;
  }

  private resolveEdge(from: Endpoint, dep: string): ResolvedEdge {
    const req = this.request(from, dep);
    const r = this.resolverFor(req).resolve(req);
    return { from: from.name, to: dep, ...r };
  }
}

async function withTimeout<T>(run: () => T | Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(run),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

function pairKey(from: LocationKind, to: LocationKind): string {
  return `${from}->${to}`;
}

function dropUndefined(patch: LocationPatch): Partial<LocationPatch> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
}

function validLocation(v: Partial<LocationPatch>): ServiceLocation | null {
  switch (v.kind) {
    case 'local':
      return { kind: 'local' };
    case 'docker':
      return v.network ? { kind: 'docker', network: v.network, ...(v.ip ? { ip: v.ip } : {}) } : null;
    case 'lan':
      return v.host ? { kind: 'lan', host: v.host } : null;
    case 'wireguard':
      return v.host ? { kind: 'wireguard', host: v.host, ...(v.via ? { via: v.via } : {}) } : null;
    default:
      return null;
  }
}
