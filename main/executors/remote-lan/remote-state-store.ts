// `<stateDir>/remote-services.json`: which hosts a project's remote services run on and, per
// service, its current run (run id, config hash, pids) and the log byte offsets handed to the
// log store so far. A restarted supervisor re-attaches from there without repeating or losing a
// line, and `harness down` finds every host to clean even when services.yaml no longer validates.
//
//   { "version": 1, "hosts": { "root@10.0.0.5:22": { "host": "10.0.0.5", "port": 22, "user": "root",
//       "root": "/root/.local/state/harness/demo-1a2b3c4d5e6f",
//       "services": { "api": { "runId": "…", "configHash": "…", "pid": 4242, "offsets": { "stdout": 0, "stderr": 0 } } } } } }
//
// Written synchronously (temporary file + rename), coalesced to one write per turn of the event
// loop: an offset is on disk right after the lines it covers were handed over.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshTarget } from '../../ssh/index.js';

export const REMOTE_STATE_FILE = 'remote-services.json';

export interface TunnelRecord {
  /** The dependency the tunnel carries the service to. */
  dependency: string;
  /** `relay`: the remote forward goes to a local forward to another host (`via`, `targetPort`
   * on its loopback), opened again first. `publish` (Wireguard): a listener on this machine's
   * tunnel address `address`:`remotePort` carrying to `localHost`:`localPort` here. */
  kind: 'remote-forward' | 'relay' | 'publish';
  /** `publish`: the tunnel address listened on. */
  address?: string;
  remotePort: number;
  localHost: string;
  localPort: number;
  via?: { host: string; port: number; user: string };
  targetPort?: number;
}

export interface ServiceRecord {
  runId: string;
  configHash: string;
  pid?: number;
  startTime?: number;
  wrapperPid?: number;
  bootId?: string;
  /** Bytes of each log handed to the log store. */
  offsets: { stdout: number; stderr: number };
  /** Remote forwards whose ports are in the service's environment: requested again, at the same
   * port, when a later supervisor adopts it. */
  tunnels?: TunnelRecord[];
}

export interface HostRecord extends SshTarget {
  port: number;
  identityFile?: string;
  /** The project's directory on the host, once known. */
  root?: string;
  services: Record<string, ServiceRecord>;
}

interface StateFile {
  version: 1;
  hosts: Record<string, HostRecord>;
}

export function remoteStatePath(stateDir: string): string {
  return join(stateDir, REMOTE_STATE_FILE);
}

/** Reads the file leniently: a missing or damaged file is an empty one (with the reason). */
export function readRemoteState(stateDir: string): { hosts: Record<string, HostRecord>; problem: string | null } {
  const file = remoteStatePath(stateDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { hosts: {}, problem: null };
    return { hosts: {}, problem: `cannot read ${file}: ${(err as Error).message}` };
  }
  try {
    const raw = JSON.parse(text) as Partial<StateFile>;
    const hosts: Record<string, HostRecord> = {};
    for (const [key, h] of Object.entries(raw.hosts ?? {})) {
      if (typeof h?.host !== 'string' || typeof h.user !== 'string' || !Number.isInteger(h.port)) continue;
      const services: Record<string, ServiceRecord> = {};
      for (const [name, s] of Object.entries(h.services ?? {})) {
        if (typeof s?.runId !== 'string') continue;
        services[name] = {
          ...s,
          offsets: { stdout: Number(s.offsets?.stdout) || 0, stderr: Number(s.offsets?.stderr) || 0 },
        };
      }
      hosts[key] = { ...h, services };
    }
    return { hosts, problem: null };
  } catch (err) {
    return { hosts: {}, problem: `${file} is not valid JSON (${(err as Error).message})` };
  }
}

export class RemoteStateStore {
  private readonly hosts: Record<string, HostRecord>;
  private scheduled = false;
  private readonly waiters: Array<() => void> = [];
  /** The last write failure, reported once by the caller. */
  lastError: string | null = null;

  constructor(readonly stateDir: string) {
    this.hosts = readRemoteState(stateDir).hosts;
  }

  host(key: string): HostRecord | undefined {
    return this.hosts[key];
  }

  allHosts(): Array<[string, HostRecord]> {
    return Object.entries(this.hosts);
  }

  /** Records the host before anything is started there, so `down` can always find it. */
  ensureHost(key: string, target: Omit<HostRecord, 'services'>): HostRecord {
    const had = this.hosts[key];
    const rec: HostRecord = { ...had, ...target, services: had?.services ?? {} };
    if (!had || JSON.stringify(had) !== JSON.stringify(rec)) {
      this.hosts[key] = rec;
      this.writeNow();
    }
    return rec;
  }

  service(key: string, name: string): ServiceRecord | undefined {
    return this.hosts[key]?.services[name];
  }

  /** A new run (or an adopted one): written at once, before the remote launch returns. */
  setService(key: string, name: string, rec: ServiceRecord): void {
    const host = this.hosts[key];
    if (!host) return;
    host.services[name] = rec;
    this.writeNow();
  }

  /** Offsets and tunnels change often: written once per turn of the event loop. */
  updateService(key: string, name: string, patch: Partial<ServiceRecord>): void {
    const rec = this.hosts[key]?.services[name];
    if (!rec) return;
    Object.assign(rec, patch);
    this.schedule();
  }

  removeService(key: string, name: string, runId?: string): void {
    const host = this.hosts[key];
    const rec = host?.services[name];
    if (!host || !rec || (runId !== undefined && rec.runId !== runId)) return;
    delete host.services[name];
    this.schedule();
  }

  removeHost(key: string): void {
    if (!this.hosts[key]) return;
    delete this.hosts[key];
    this.writeNow();
  }

  /** Resolves once everything recorded so far is on disk. */
  flush(): Promise<void> {
    if (!this.scheduled) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.writeNow());
  }

  private writeNow(): void {
    this.scheduled = false;
    const file = remoteStatePath(this.stateDir);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify({ version: 1, hosts: this.hosts } satisfies StateFile, null, 1)}\n`, { mode: 0o600 });
      renameSync(tmp, file);
      this.lastError = null;
    } catch (err) {
      this.lastError = `cannot write ${file}: ${(err as Error).message}`;
    }
    for (const w of this.waiters.splice(0)) w();
  }
}
