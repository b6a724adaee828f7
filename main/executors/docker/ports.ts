// `ports:` entries of a Docker target. The model's form is a bare number N, published as
// 127.0.0.1:N -> N (loopback by default: a dev stack should not be reachable from the LAN unless
// the file says so). Additive long forms: "H:C", "IP:H:C", "IP::C" (engine picks the host port),
// each with an optional "/udp" or "/tcp" suffix.
import { HarnessError } from '../../../shared/errors.js';

export const DEFAULT_HOST_IP = '127.0.0.1';

export interface PortMapping {
  hostIp: string;
  /** null: the engine picks a free port (known after start). */
  hostPort: number | null;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

function portNumber(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

export function parsePort(spec: number | string, where: string): PortMapping {
  const bad = (why: string): HarnessError =>
    new HarnessError('CONFIG_INVALID', `${where}: ${JSON.stringify(spec)} ${why} (expected 80, "8080:80", "127.0.0.1:8080:80" or "8080:80/udp")`);
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 1 || spec > 65535) throw bad('is not a port number');
    return { hostIp: DEFAULT_HOST_IP, hostPort: spec, containerPort: spec, protocol: 'tcp' };
  }
  let text = spec.trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = text.lastIndexOf('/');
  if (slash >= 0) {
    const proto = text.slice(slash + 1).toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') throw bad(`has unknown protocol "${proto}"`);
    protocol = proto;
    text = text.slice(0, slash);
  }
  // IPv6 host addresses are written in brackets: "[::1]:8080:80".
  let hostIp = DEFAULT_HOST_IP;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(text);
  let parts: string[];
  if (v6) {
    hostIp = v6[1];
    parts = v6[2].split(':');
    if (parts.length !== 2) throw bad('is not IP:HOST:CONTAINER');
  } else {
    parts = text.split(':');
    if (parts.length === 3) {
      hostIp = parts[0];
      parts = parts.slice(1);
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIp)) throw bad(`has an invalid host address "${hostIp}"`);
    } else if (parts.length > 3) {
      throw bad('has too many ":"');
    }
  }
  if (parts.length === 1) {
    const n = portNumber(parts[0]);
    if (n === null) throw bad('is not a port number');
    return { hostIp, hostPort: n, containerPort: n, protocol };
  }
  const container = portNumber(parts[1]);
  if (container === null) throw bad('has an invalid container port');
  if (parts[0] === '') return { hostIp, hostPort: null, containerPort: container, protocol };
  const host = portNumber(parts[0]);
  if (host === null) throw bad('has an invalid host port');
  return { hostIp, hostPort: host, containerPort: container, protocol };
}

export function parsePorts(specs: Array<number | string>, service: string): PortMapping[] {
  return specs.map((spec, i) => parsePort(spec, `service "${service}": target.ports[${i}]`));
}

/** The engine's ExposedPorts and PortBindings for these mappings. */
export function portBindings(ports: PortMapping[]): {
  exposed: Record<string, object>;
  bindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
} {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort === null ? '' : String(p.hostPort) });
  }
  return { exposed, bindings };
}

/** A published binding as the engine reports it after start (NetworkSettings.Ports). */
export interface PublishedPort {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
}

export function publishedPorts(
  ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | undefined,
): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [key, binds] of Object.entries(ports ?? {})) {
    const [port, proto] = key.split('/');
    for (const b of binds ?? []) {
      out.push({
        containerPort: Number(port),
        protocol: proto === 'udp' ? 'udp' : 'tcp',
        hostIp: b.HostIp,
        hostPort: Number(b.HostPort),
      });
    }
  }
  return out;
}

/** Where the host reaches container port `port` (tcp): an address usable for a connect(). */
export function hostEndpoint(published: PublishedPort[], port: number): { host: string; port: number } | null {
  const hit = published.find((p) => p.containerPort === port && p.protocol === 'tcp');
  if (!hit) return null;
  const host = hit.hostIp === '' || hit.hostIp === '0.0.0.0' ? '127.0.0.1' : hit.hostIp === '::' ? '::1' : hit.hostIp;
  return { host, port: hit.hostPort };
}
