// `harness ps`: the state of every service, from the supervisor when one runs; otherwise the
// services of the file as stopped, plus any leftovers of a supervisor that died. For a project
// with Docker services, also the project's containers as the engine reports them.
import { dirname } from 'node:path';
import type { SupervisorInfo } from '../../../shared/api.js';
import type { ServiceConfig } from '../../../shared/config-types.js';
import type { ServiceState } from '../../../shared/service-state.js';
import { defaultProjectName } from '../../config/index.js';
import { loadProject } from '../../config/load-project.js';
import { projectStateDir } from '../../state/paths.js';
import { connectSupervisor } from '../../supervisor/connect.js';
import { FILE_FLAG, flagBool, parseArgs, printHelp, type CommandSpec } from '../args.js';
import { dockerContainers, type PsDocker } from '../docker-containers.js';
import { EXIT } from '../errors.js';
import { findLeftovers, type Leftover } from '../leftovers.js';
import { table } from '../output.js';
import { displayPath, projectFile } from '../project-file.js';

export const psSpec: CommandSpec = {
  name: 'ps',
  usage: 'harness ps [-f FILE] [--json]',
  summary: 'List the services with status, health, pid/container, address, ports, restarts, exit, and the\nhost (and its connection state) of remote services.',
  flags: [FILE_FLAG, { name: 'json', description: 'machine-readable output: {file, supervisor, services, leftovers, docker}' }],
  details: 'Exit status: 0 (also when nothing runs); 1 when the state cannot be read.',
};

interface PsReport {
  file: string;
  supervisor: SupervisorInfo | null;
  services: ServiceState[];
  leftovers: Leftover[];
  /** The project's containers; null when the project has no Docker services. */
  docker: PsDocker | null;
}

export async function psCommand(argv: string[]): Promise<number> {
  const args = parseArgs(psSpec, argv);
  if (args.flags.has('help')) return printHelp(psSpec);
  const file = projectFile(args, true);
  const report = await collect(file);
  if (flagBool(args, 'json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.OK;
  }
  process.stdout.write(renderTable(report.services));
  if (report.supervisor) {
    process.stdout.write(`\nsupervised by pid ${report.supervisor.pid} since ${new Date(report.supervisor.startedAt).toLocaleTimeString('en-GB')}\n`);
  } else {
    process.stdout.write(`\nno supervisor is running for ${displayPath(file)}\n`);
  }
  if (report.leftovers.length > 0) {
    process.stdout.write('leftover processes of a supervisor that is gone (`harness down` stops them):\n');
    for (const l of report.leftovers) process.stdout.write(`  ${l.service}: process group ${l.pgid}, pids ${l.pids.join(' ')}\n`);
  }
  if (report.docker) process.stdout.write(renderContainers(report.docker));
  return EXIT.OK;
}

async function collect(file: string): Promise<PsReport> {
  const client = await connectSupervisor(file);
  if (client) {
    try {
      const [snapshot, info] = await Promise.all([client.invoke('project.snapshot', {}), client.invoke('supervisor.info', {})]);
      // Also what runs although the open draft cannot load it, or no longer lists it.
      const services = [
        ...snapshot.services.map((s) => withHost(s.state, s.config)),
        ...[...(snapshot.invalid ?? []), ...(snapshot.pendingRemoval ?? [])].map((s) => s.state),
      ];
      const docker = snapshot.project ? await dockerContainers(snapshot.project, services) : null;
      return { file, supervisor: info, services, leftovers: [], docker };
    } finally {
      client.close();
    }
  }
  const { config } = await loadProject(file);
  const services: ServiceState[] = (config?.services ?? []).map((s) => withHost({
    name: s.name,
    type: s.target.type,
    status: 'stopped',
    restarts: 0,
    updatedAt: Date.now(),
  }, s));
  const docker = await dockerContainers(config?.name ?? defaultProjectName(dirname(file)), services);
  return { file, supervisor: null, services, leftovers: await findLeftovers(projectStateDir(file)), docker };
}

/** A remote service's host from the config while it has no connection of its own (stopped, or no
 * supervisor): `idle`, not connected. */
function withHost(state: ServiceState, config: ServiceConfig): ServiceState {
  const t = config.target;
  if (state.remote || (t.type !== 'RemoteLan' && t.type !== 'Wireguard')) return state;
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return { ...state, remote: { key: `${t.user}@${host}:${t.ssh_port}`, host: t.host, port: t.ssh_port, user: t.user, connection: 'idle' } };
}

function hostCell(s: ServiceState): string {
  if (!s.remote) return '-';
  const why = s.remote.reason ? `: ${s.remote.reason}`.slice(0, 50) : '';
  return s.remote.connection === 'idle' ? s.remote.key : `${s.remote.key} (${s.remote.connection}${why})`;
}

function renderTable(states: ServiceState[]): string {
  const rows = states.map((s) => [
    s.name,
    s.type,
    s.status,
    s.health ? (s.health.ok ? 'ok' : `failing: ${s.health.message}`.slice(0, 40)) : '-',
    // A container is known by its id (its pid is the engine's business); a process by its pid.
    s.type === 'Docker' && s.instance ? s.instance.slice(0, 12) : s.pid ? String(s.pid) : (s.instance?.slice(0, 12) ?? '-'),
    s.address ?? '-',
    s.ports?.length ? s.ports.join(',') : '-',
    String(s.restarts),
    s.signal ? s.signal : s.exitCode !== undefined && s.exitCode !== null ? String(s.exitCode) : '-',
    hostCell(s),
  ]);
  return table(['NAME', 'TYPE', 'STATUS', 'HEALTH', 'PID/ID', 'ADDRESS', 'PORTS', 'RESTARTS', 'EXIT', 'HOST'], rows);
}

function renderContainers(d: PsDocker): string {
  if (!d.containers) return `\nDocker: ${d.error ?? `engine at ${d.engine} did not answer`}\n`;
  if (d.containers.length === 0) return `\nno containers of this project (Docker engine at ${d.engine})\n`;
  const rows = d.containers.map((c) => [
    c.service || '?',
    c.name,
    c.id.slice(0, 12),
    c.orphan ? `${c.state} (orphan: no such service in the file; \`harness down\` removes it)` : c.state,
    c.ip ?? '-',
    c.ports.length ? c.ports.join(',') : '-',
  ]);
  return `\ncontainers (Docker engine at ${d.engine}):\n${table(['SERVICE', 'CONTAINER', 'ID', 'STATE', 'IP', 'PUBLISHED'], rows)}`;
}
