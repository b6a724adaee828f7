// Project-wide engine objects: the project's bridge network, the containers found by label, and
// the `down` path that removes them. Everything is found by the project label, never by name
// pattern, so unrelated containers are never touched.
import type Docker from 'dockerode';
import type { ProjectConfig } from '../../../shared/config-types.js';
import { HarnessError } from '../../../shared/errors.js';
import { DockerEngine, errorText, statusCode } from './engine.js';
import { LABEL_CONFIG_HASH, LABEL_FILE, LABEL_PROJECT, LABEL_SERVICE, networkName, projectFilter } from './labels.js';

export interface ProjectContainer {
  id: string;
  name: string;
  service: string;
  configHash: string;
  file: string;
  state: string;
  running: boolean;
}

export interface ProjectNetwork {
  name: string;
  id: string;
  /** The bridge's address on the host: how containers reach processes on this machine. */
  gateway: string;
  subnet: string;
}

function engineOf(engine?: DockerEngine): DockerEngine {
  return engine ?? new DockerEngine();
}

export async function listProjectContainers(project: string, engine?: DockerEngine): Promise<ProjectContainer[]> {
  const e = engineOf(engine);
  await e.ensureReachable();
  const list = await e.docker.listContainers({ all: true, filters: projectFilter(project) });
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    service: c.Labels[LABEL_SERVICE] ?? '',
    configHash: c.Labels[LABEL_CONFIG_HASH] ?? '',
    file: c.Labels[LABEL_FILE] ?? '',
    state: c.State,
    running: c.State === 'running',
  }));
}

async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    // force: a running container is killed; v: its anonymous volumes go with it (named ones stay).
    await docker.getContainer(id).remove({ force: true, v: true });
  } catch (err) {
    const code = statusCode(err);
    // 404: already gone; 409: removal already in progress (a parallel down).
    if (code !== 404 && code !== 409) throw err;
  }
}

/**
 * Removes the project's containers whose service is not in `services` any more, and says which.
 * Returns lines such as `old-api: removed container harness-demo-old-api (running)`.
 */
export async function removeOrphans(project: ProjectConfig, engine?: DockerEngine): Promise<string[]> {
  const e = engineOf(engine);
  const keep = new Set(project.services.filter((s) => s.target.type === 'Docker').map((s) => s.name));
  const report: string[] = [];
  for (const c of await listProjectContainers(project.name, e)) {
    if (keep.has(c.service)) continue;
    await removeContainer(e.docker, c.id);
    report.push(`${c.service || '?'}: removed orphan container ${c.name} (${c.state}; no such service in the file any more)`);
  }
  return report;
}

export interface DownReport {
  containers: string[];
  network: string | null;
  volumes: string[];
}

/** Removes every container of the project and its network; named volumes only when asked. */
export async function downProject(project: string, opts: { removeVolumes?: boolean } = {}, engine?: DockerEngine): Promise<DownReport> {
  const e = engineOf(engine);
  const containers = await listProjectContainers(project, e);
  await Promise.all(containers.map((c) => removeContainer(e.docker, c.id)));
  const report: DownReport = { containers: containers.map((c) => c.name), network: null, volumes: [] };
  const networks = await e.docker.listNetworks({ filters: projectFilter(project) });
  for (const n of networks) {
    try {
      await e.docker.getNetwork(n.Id).remove();
      report.network = n.Name;
    } catch (err) {
      if (statusCode(err) !== 404) throw new HarnessError('INTERNAL', `removing network ${n.Name} failed: ${errorText(err)}`);
    }
  }
  if (opts.removeVolumes) {
    const { Volumes } = await e.docker.listVolumes({ filters: projectFilter(project) });
    for (const v of Volumes ?? []) {
      try {
        await e.docker.getVolume(v.Name).remove();
        report.volumes.push(v.Name);
      } catch (err) {
        if (statusCode(err) !== 404) throw new HarnessError('INTERNAL', `removing volume ${v.Name} failed: ${errorText(err)}`);
      }
    }
  }
  return report;
}

function describeNetwork(info: Docker.NetworkInspectInfo): ProjectNetwork {
  const ipam = info.IPAM?.Config?.[0] ?? {};
  return { name: info.Name, id: info.Id, gateway: ipam.Gateway ?? '', subnet: ipam.Subnet ?? '' };
}

/** Inspects the project network, creating it (labelled) when missing. Safe to call concurrently
 * from several starts: a creation race is settled by re-inspecting. */
/** The project network as the engine has it, or null when it does not exist (never creates it). */
export async function inspectProjectNetwork(project: string, engine: DockerEngine): Promise<ProjectNetwork | null> {
  try {
    return describeNetwork(await engine.docker.getNetwork(networkName(project)).inspect());
  } catch (err) {
    if (statusCode(err) === 404) return null;
    throw err;
  }
}

export async function ensureProjectNetwork(project: string, engine: DockerEngine): Promise<ProjectNetwork> {
  const name = networkName(project);
  const inspect = (): Promise<ProjectNetwork | null> => inspectProjectNetwork(project, engine);
  const existing = await inspect();
  if (existing) return existing;
  try {
    await engine.docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [LABEL_PROJECT]: project },
    });
  } catch (err) {
    if (statusCode(err) !== 409) {
      throw new HarnessError('UNAVAILABLE', `creating Docker network ${name} failed: ${errorText(err)}`);
    }
  }
  const created = await inspect();
  if (!created) throw new HarnessError('INTERNAL', `Docker network ${name} missing right after creation`);
  return created;
}
