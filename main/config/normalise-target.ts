// `target:` of a service, tagged by `type`, to the loaded ServiceTarget with defaults applied and
// relative paths made absolute against the directory of services.yaml.
import os from 'node:os';
import path from 'node:path';
import { TARGET_TYPES, TUNNEL_MODES, type DockerBuild, type ServiceTarget, type TargetType } from '../../shared/config-types.js';
import { didYouMean } from './did-you-mean.js';
import { DEFAULTS, FIELDS } from './fields.js';
import { quoted, Readers, value } from './readers.js';
import type { YMap, YNode } from './yaml-tree.js';

// [ip:][host:]container[/proto] — the forms Compose accepts for one port (no ranges).
const DOCKER_PORT = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):)?(?:(\d*):)?(\d+)(?:\/(tcp|udp|sctp))?$/;
const VOLUME_MODE = /^(?:ro|rw|z|Z|cached|delegated|consistent|nocopy)(?:,(?:ro|rw|z|Z|cached|delegated|consistent|nocopy))*$/;
const NAMED_VOLUME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function resolvePath(dir: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1));
  return path.resolve(dir, p);
}

/** Parses a Docker port item: returns the host port a client on this machine would use (the
 * published port, else the number itself), or an error message. */
export function parseDockerPort(v: string): { hostPort: number | null; containerPort: number } | string {
  const m = DOCKER_PORT.exec(v.trim());
  if (!m) return `invalid port mapping "${v}" (expected e.g. 80, "8080:80", "127.0.0.1:8080:80" or "8080:80/udp")`;
  const container = Number(m[3]);
  const host = m[2] === undefined || m[2] === '' ? null : Number(m[2]);
  for (const n of [container, host]) {
    if (n !== null && (n < 1 || n > 65535)) return `port ${n} in "${v}" is out of range (1-65535)`;
  }
  return { hostPort: host, containerPort: container };
}

export function normaliseTarget(n: YNode, r: Readers, dir: string): ServiceTarget | undefined {
  const m = r.map(n, 'a map with a "type" (Process, Docker, RemoteLan or Wireguard)');
  if (!m) return undefined;
  const typeNode = value(m, 'type');
  if (!typeNode) {
    r.problems.error(m.pos, m.path, `missing required field "type" (one of ${TARGET_TYPES.join(', ')})`);
    return undefined;
  }
  const type = typeNode.kind === 'scalar' && typeof typeNode.value === 'string' ? typeNode.value : undefined;
  if (type === undefined || !(TARGET_TYPES as readonly string[]).includes(type)) {
    const word = typeNode.kind === 'scalar' ? String(typeNode.value) : '';
    r.problems.error(
      typeNode.pos,
      typeNode.path,
      () => `unknown target type ${quoted(typeNode)}; expected one of ${TARGET_TYPES.join(', ')}${didYouMean(word, TARGET_TYPES)}`,
    );
    return undefined;
  }
  const t = type as TargetType;
  r.keys(m, FIELDS.target[t]);
  const get = (k: string): YNode | undefined => value(m, k);
  const opt = <T>(k: string, read: (n: YNode) => T | undefined, dflt: T): T | undefined => {
    const v = get(k);
    return v === undefined ? dflt : read(v);
  };
  const req = <T>(k: string, read: (n: YNode) => T | undefined): T | undefined => {
    const v = get(k);
    return v === undefined ? undefined : read(v); // absence already reported by keys()
  };
  const str = (n: YNode) => r.string(n);
  const env = opt('env', (n) => r.env(n), {});
  const ports = (): number[] | undefined => opt('ports', (n) => portList(n, r), []);

  switch (t) {
    case 'Process': {
      const binary = req('binary', str);
      const args = opt('args', (n) => r.textList(n), []);
      const wd = opt('working_dir', str, undefined);
      const p = ports();
      if (binary === undefined || args === undefined || env === undefined || p === undefined || (get('working_dir') && wd === undefined)) return undefined;
      return {
        type: 'Process',
        // A name without '/' is looked up on PATH; anything with a '/' is a path from the file.
        binary: binary.includes('/') ? resolvePath(dir, binary) : binary,
        args,
        env,
        working_dir: wd === undefined ? dir : resolvePath(dir, wd),
        ports: p,
      };
    }
    case 'Docker': {
      const image = req('image', str);
      const p = opt('ports', (n) => dockerPorts(n, r), []);
      const volumes = opt('volumes', (n) => volumeList(n, r, dir), []);
      const build = opt('build', (n) => dockerBuild(n, r, dir), undefined);
      const command = opt('command', (n) => r.textList(n), undefined);
      const entrypoint = opt('entrypoint', (n) => r.textList(n), undefined);
      const workingDir = opt('working_dir', (n) => containerDir(n, r), undefined);
      if (image === undefined || env === undefined || p === undefined || volumes === undefined) return undefined;
      if ((get('build') && !build) || (get('command') && !command)) return undefined;
      if ((get('entrypoint') && !entrypoint) || (get('working_dir') && !workingDir)) return undefined;
      return {
        type: 'Docker',
        image,
        env,
        ports: p,
        volumes,
        ...(build ? { build } : {}),
        ...(command ? { command } : {}),
        ...(entrypoint ? { entrypoint } : {}),
        ...(workingDir ? { working_dir: workingDir } : {}),
      };
    }
    case 'RemoteLan': {
      const host = req('host', (n) => sshName(n, r, 'host'));
      const user = req('user', (n) => sshName(n, r, 'user'));
      const binary = req('binary', str);
      const args = opt('args', (n) => r.textList(n), []);
      const ssh_port = sshPort(m, r);
      const p = ports();
      const wd = opt('working_dir', (n) => remoteDir(n, r), undefined);
      const identity = opt('identity_file', str, undefined);
      const tunnel = opt('tunnel', (n) => r.oneOf(n, TUNNEL_MODES, 'tunnel mode'), undefined);
      if (host === undefined || user === undefined || binary === undefined || args === undefined) return undefined;
      if (env === undefined || ssh_port === undefined || p === undefined) return undefined;
      if ((get('working_dir') && wd === undefined) || (get('identity_file') && identity === undefined) || (get('tunnel') && !tunnel)) return undefined;
      // The binary and working_dir live on the remote host: never resolved locally; the key is here.
      return {
        type: 'RemoteLan', host, user, binary, args, env, ssh_port, ports: p,
        ...(wd !== undefined ? { working_dir: wd } : {}),
        ...(identity !== undefined ? { identity_file: resolvePath(dir, identity) } : {}),
        ...(tunnel ? { tunnel } : {}),
      };
    }
    case 'Wireguard': {
      const host = req('host', (n) => sshName(n, r, 'host'));
      const user = req('user', (n) => sshName(n, r, 'user'));
      const pkg = req('package', str);
      const ssh_port = sshPort(m, r);
      const p = ports();
      const identity = opt('identity_file', str, undefined);
      const root = opt('install_root', (n) => installRoot(n, r), undefined);
      const tunnel = opt('tunnel', (n) => r.oneOf(n, TUNNEL_MODES, 'tunnel mode'), undefined);
      if (host === undefined || user === undefined || pkg === undefined || env === undefined || ssh_port === undefined || p === undefined) return undefined;
      if ((get('identity_file') && identity === undefined) || (get('install_root') && root === undefined) || (get('tunnel') && !tunnel)) return undefined;
      // The package and the key are here; install_root is on the host and never resolved locally.
      return {
        type: 'Wireguard', host, user, package: resolvePath(dir, pkg), env, ssh_port, ports: p,
        ...(identity !== undefined ? { identity_file: resolvePath(dir, identity) } : {}),
        ...(root !== undefined ? { install_root: root } : {}),
        ...(tunnel ? { tunnel } : {}),
      };
    }
  }
}

/** A host or user name for SSH: what begins with '-' would be read as an option by ssh and
 * friends, and whitespace or control characters break every command line and known_hosts. */
function sshName(n: YNode, r: Readers, what: 'host' | 'user'): string | undefined {
  const v = r.string(n);
  if (v === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  const bad = v.startsWith('-') ? "begins with '-'" : /\s/.test(v) ? 'holds whitespace' : /[\x00-\x1f\x7f]/.test(v) ? 'holds a control character' : null;
  if (bad) {
    r.problems.error(n.pos, n.path, `${what} ${JSON.stringify(v)} ${bad}, which SSH would misread; write the plain ${what === 'host' ? 'host name or address' : 'user name'}`);
    return undefined;
  }
  return v;
}

/** `port` (preferred) or its older spelling `ssh_port`; both is fine when they agree. */
function sshPort(m: YMap, r: Readers): number | undefined {
  const a = value(m, 'port');
  const b = value(m, 'ssh_port');
  const pa = a ? r.port(a) : undefined;
  const pb = b ? r.port(b) : undefined;
  if ((a && pa === undefined) || (b && pb === undefined)) return undefined;
  if (pa !== undefined && pb !== undefined && pa !== pb) {
    r.problems.error(b!.pos, b!.path, `ssh_port ${pb} contradicts port ${pa}; ssh_port is the older spelling of port: keep only port`);
    return undefined;
  }
  return pa ?? pb ?? DEFAULTS.ssh_port;
}

/** A directory on the remote host: absolute, or relative to the login user's home (`~/x` too). */
function remoteDir(n: YNode, r: Readers): string | undefined {
  const v = r.string(n);
  if (v === undefined) return undefined;
  if (v.includes('\0')) {
    r.problems.error(n.pos, n.path, 'working_dir must not contain a NUL character');
    return undefined;
  }
  if (v === '~') return '.';
  return v.startsWith('~/') ? v.slice(2) || '.' : v;
}

/**
 * Where a Wireguard service's releases live on its host: absolute, or relative to the login
 * user's home (`~/x`, written `x`). The releases' paths are built from it and run through the
 * host's shell scripts, so control characters and `..` components are refused.
 */
function installRoot(n: YNode, r: Readers): string | undefined {
  const v = r.string(n);
  if (v === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  const bad = /[\x00-\x1f\x7f]/.test(v) ? 'holds a control character' : v.split('/').includes('..') ? "has a '..' component" : null;
  if (bad) {
    r.problems.error(n.pos, n.path, `install_root ${JSON.stringify(v)} ${bad}; write a directory on the host, absolute (/opt/harness) or under the login user's home (~/harness)`);
    return undefined;
  }
  const rel = v === '~' ? '.' : v.startsWith('~/') ? v.slice(2) : v;
  const norm = rel.replace(/\/{2,}/g, '/').replace(/(.)\/+$/, '$1');
  return norm === '' ? '.' : norm;
}

/** A directory inside a container: absolute, since the image decides what a relative one means. */
function containerDir(n: YNode, r: Readers): string | undefined {
  const v = r.string(n);
  if (v === undefined) return undefined;
  if (!v.startsWith('/')) {
    r.problems.error(n.pos, n.path, `working_dir "${v}" must be an absolute path inside the container (e.g. /app)`);
    return undefined;
  }
  return v;
}

function portList(n: YNode, r: Readers): number[] | undefined {
  const s = r.seq(n, 'a list of port numbers');
  if (!s) return undefined;
  const out = s.items.map((it) => r.port(it));
  return out.every((p) => p !== undefined) ? (out as number[]) : undefined;
}

function dockerPorts(n: YNode, r: Readers): Array<number | string> | undefined {
  const s = r.seq(n, 'a list of ports');
  if (!s) return undefined;
  let ok = true;
  const out: Array<number | string> = [];
  for (const it of s.items) {
    if (it.kind === 'scalar' && typeof it.value === 'string') {
      const parsed = parseDockerPort(it.value);
      if (typeof parsed === 'string') {
        r.problems.error(it.pos, it.path, parsed);
        ok = false;
      } else out.push(it.value.trim());
      continue;
    }
    const p = r.port(it);
    if (p === undefined) ok = false;
    else out.push(p);
  }
  return ok ? out : undefined;
}

function volumeList(n: YNode, r: Readers, dir: string): string[] | undefined {
  const s = r.seq(n, 'a list of volumes ("source:/path[:mode]")');
  if (!s) return undefined;
  let ok = true;
  const out: string[] = [];
  for (const it of s.items) {
    const v = r.string(it);
    if (v === undefined) {
      ok = false;
      continue;
    }
    const res = normaliseVolume(v, dir);
    if (res.startsWith('!')) {
      r.problems.error(it.pos, it.path, res.slice(1));
      ok = false;
    } else out.push(res);
  }
  return ok ? out : undefined;
}

/** The volume with a relative bind-mount source made absolute, or `!message`. */
function normaliseVolume(v: string, dir: string): string {
  const parts = v.split(':');
  if (parts.length > 3) return `!invalid volume "${v}" (expected "source:/container/path[:mode]")`;
  const [first, dst, mode] = parts.length === 1 ? [undefined, parts[0], undefined] : parts;
  if (!dst || !dst.startsWith('/')) return `!invalid volume "${v}": the container path must be absolute`;
  if (mode !== undefined && !VOLUME_MODE.test(mode)) return `!invalid volume "${v}": unknown mode "${mode}" (ro, rw, z, Z, …)`;
  if (first === undefined) return v;
  let src = first;
  if (src.startsWith('.') || src.startsWith('~') || src.startsWith('/')) src = resolvePath(dir, src);
  else if (!NAMED_VOLUME.test(src)) return `!invalid volume "${v}": a relative bind-mount source must start with ./ or ../`;
  return [src, dst, ...(mode === undefined ? [] : [mode])].join(':');
}

function dockerBuild(n: YNode, r: Readers, dir: string): DockerBuild | undefined {
  if (n.kind === 'scalar') {
    const ctx = r.string(n);
    return ctx === undefined ? undefined : { context: resolvePath(dir, ctx) };
  }
  const m: YMap | undefined = r.map(n, 'a path or a map {context, dockerfile}');
  if (!m) return undefined;
  r.keys(m, FIELDS.build);
  const c = value(m, 'context');
  const d = value(m, 'dockerfile');
  const context = c ? r.string(c) : undefined;
  const dockerfile = d ? r.string(d) : undefined;
  if (context === undefined || (d && dockerfile === undefined)) return undefined;
  return { context: resolvePath(dir, context), ...(dockerfile ? { dockerfile } : {}) };
}

/** The port a client on this machine uses to reach the service: its first declared port (for
 * Docker, the published host port when one is given). */
export function firstPort(t: ServiceTarget): number | undefined {
  const p = t.ports[0];
  if (p === undefined) return undefined;
  if (typeof p === 'number') return p;
  const parsed = parseDockerPort(p);
  return typeof parsed === 'string' ? undefined : (parsed.hostPort ?? parsed.containerPort);
}
