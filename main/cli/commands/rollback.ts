// `harness rollback SERVICE`: the Wireguard service's previous release becomes current. With a
// supervisor, it switches and restarts the running service (the `services.rollback` method);
// without one, the host's links are switched and the next `harness up` runs that release.
import { HarnessError } from '../../../shared/errors.js';
import type { RollbackReport } from '../../../shared/api.js';
import { loadProject } from '../../config/load-project.js';
import { createExecutors, disposeExecutors } from '../../executors/registry.js';
import { ensureProjectStateDir } from '../../state/paths.js';
import { connectSupervisor } from '../../supervisor/connect.js';
import { FILE_FLAG, flagBool, parseArgs, printHelp, UsageError, type CommandSpec } from '../args.js';
import { EXIT } from '../errors.js';
import { displayPath, formatCliProblem, projectFile } from '../project-file.js';

export const rollbackSpec: CommandSpec = {
  name: 'rollback',
  usage: 'harness rollback SERVICE [-f FILE] [--json]',
  summary: 'Make the previous release of a Wireguard service current again and restart it if it runs.',
  flags: [FILE_FLAG, { name: 'json', description: 'machine-readable output: {service, from, to, restarted}' }],
  details: `The release rolled back to stays pinned (a restart or \`up\` keeps it) until the package in
services.yaml changes; the release rolled back from is kept as the previous one.

Exit status: 0 rolled back; 1 no previous release, not a Wireguard service, or the restart failed.`,
};

export async function rollbackCommand(argv: string[]): Promise<number> {
  const args = parseArgs(rollbackSpec, argv);
  if (args.flags.has('help')) return printHelp(rollbackSpec);
  const [service, ...extra] = args.positionals;
  if (!service) throw new UsageError('which service? `harness rollback SERVICE`', 'rollback');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, 'rollback');
  const file = projectFile(args, true);
  const report = await rollback(file, service);
  if (flagBool(args, 'json')) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(`${report.service}: rolled back from ${report.from} to ${report.to}` +
      `${report.restarted ? ' and restarted' : ` (it is not running: \`harness up\` starts ${report.to})`}\n`);
  }
  return EXIT.OK;
}

async function rollback(file: string, service: string): Promise<RollbackReport> {
  const client = await connectSupervisor(file);
  if (client) {
    try {
      return await client.invoke('services.rollback', { service });
    } finally {
      client.close();
    }
  }
  const { config, problems } = await loadProject(file);
  if (!config) {
    throw new HarnessError('BAD_REQUEST', `${displayPath(file)} does not load:\n${problems.map((p) => `  ${formatCliProblem(p)}`).join('\n')}`);
  }
  const svc = config.services.find((s) => s.name === service);
  if (!svc) throw new HarnessError('NOT_FOUND', `no service "${service}" in ${displayPath(file)} (services: ${config.services.map((s) => s.name).join(', ')})`);
  const executors = createExecutors();
  try {
    const executor = executors.get(svc.target.type);
    if (!executor?.rollback) {
      throw new HarnessError('BAD_REQUEST', `${service} is a ${svc.target.type} service: only Wireguard services have releases to roll back to`);
    }
    const stateDir = await ensureProjectStateDir(file);
    const r = await executor.rollback(svc, { project: config, stateDir, running: false });
    if (r.needsStart) {
      // A release still runs on the host (left by a supervisor that is gone): `up` replaces it.
      process.stderr.write(`${service}: a release still runs on ${svc.target.type === 'Wireguard' ? svc.target.host : 'its host'}; \`harness up\` replaces it with ${r.to}\n`);
    }
    return { service, from: r.from, to: r.to, restarted: false };
  } finally {
    await disposeExecutors(executors);
  }
}
