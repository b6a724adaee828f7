// The project's containers as the engine sees them (found by the project label, as `down` finds
// them): for `harness ps`, with or without a supervisor. After a supervisor was SIGKILLed its
// containers keep running; this is where the user sees them, and which of them no service in the
// file describes any more (orphans, removed by `harness down`).
import type { ServiceState } from '../../shared/service-state.js';

export interface PsContainer {
  service: string;
  name: string;
  id: string;
  state: string;
  /** Address on the project network. */
  ip: string | null;
  /** As `docker ps` prints them: `127.0.0.1:18080->8080/tcp`. */
  ports: string[];
  /** No Docker service of that name in the file. */
  orphan: boolean;
}

export interface PsDocker {
  /** Where the engine was asked (socket path or URL). */
  engine: string;
  /** null when the engine did not answer. */
  containers: PsContainer[] | null;
  error?: string;
}

/**
 * Lists the project's containers when the project has Docker services; null otherwise (a
 * Process-only project does not wait for an engine). `services` are the services of the file.
 */
export async function dockerContainers(project: string, services: Array<Pick<ServiceState, 'name' | 'type'>>): Promise<PsDocker | null> {
  if (!services.some((s) => s.type === 'Docker')) return null;
  // Loaded only here: the Docker client is the heaviest import of the CLI.
  const { DockerEngine } = await import('../executors/docker/engine.js');
  const { projectFilter, LABEL_SERVICE } = await import('../executors/docker/labels.js');
  const engine = new DockerEngine();
  try {
    await engine.ping(1500);
    const docker = new Set(services.filter((s) => s.type === 'Docker').map((s) => s.name));
    const list = await engine.docker.listContainers({ all: true, filters: projectFilter(project) });
    const containers = list.map((c): PsContainer => {
      const service = c.Labels[LABEL_SERVICE] ?? '';
      const nets = Object.values(c.NetworkSettings?.Networks ?? {});
      return {
        service,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        id: c.Id,
        state: c.State,
        ip: nets.find((n) => n.IPAddress)?.IPAddress ?? null,
        ports: (c.Ports ?? [])
          .filter((p) => p.PublicPort)
          .map((p) => `${p.IP ?? ''}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`),
        orphan: !docker.has(service),
      };
    });
    containers.sort((a, b) => a.service.localeCompare(b.service));
    return { engine: engine.where, containers };
  } catch (err) {
    return { engine: engine.where, containers: null, error: (err as Error).message };
  }
}
