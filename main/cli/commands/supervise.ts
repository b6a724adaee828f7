// Hidden `harness __supervise -f FILE`: the background supervisor that `harness up -d` starts.
// Its stdout/stderr go to `<stateDir>/supervisor.log`; service output goes to the per-service
// log files (and to clients through the socket). Ends on `supervisor.shutdown` (harness down),
// SIGTERM or SIGINT, stopping every service first.
import type { SessionEvent } from '../../project/session-types.js';
import { startSupervisor, type Supervisor } from '../../supervisor/supervisor.js';
import { FILE_FLAG, flagBool, flagString, parseArgs, type CommandSpec } from '../args.js';
import { EXIT } from '../errors.js';
import { describeStatus } from '../output.js';
import { createShutdown } from '../shutdown-signals.js';
import { projectFile } from '../project-file.js';

export const superviseSpec: CommandSpec = {
  name: '__supervise',
  usage: 'harness __supervise -f FILE',
  summary: 'Internal: the background supervisor started by `harness up -d`.',
  flags: [
    FILE_FLAG,
    { name: 'command', value: true, description: 'label shown to other supervisors' },
    { name: 'accept-new-hosts', description: 'accept SSH host keys seen for the first time' },
  ],
};

export async function superviseCommand(argv: string[]): Promise<number> {
  const args = parseArgs(superviseSpec, argv);
  const file = projectFile(args, true);
  const log = (text: string): void => void process.stdout.write(`${new Date().toISOString()} ${text}\n`);
  const listener = (e: SessionEvent): void => {
    if (e.type === 'status') log(`${e.event.state.name}: ${describeStatus(e.event.state)}`);
    else if (e.type === 'log' && e.line.stream === 'system') log(`${e.line.service}: ${e.line.line}`);
  };
  let sup: Supervisor | null = null;
  const shutdown = createShutdown({
    stop: async () => sup?.close(),
    force: () => sup?.session.forceKill(),
    onStopping: (why) => log(`stopping (${why})`),
    onForcing: (signal) => log(`${signal} again: killing every service's process group now`),
    onError: (err) => {
      log(`stop failed: ${(err as Error).message}`);
      return EXIT.FAILURE;
    },
  });
  // Trapped before the project opens: a `harness down` that gives up waiting sends SIGTERM.
  shutdown.trapSignals(['SIGTERM', 'SIGINT'], ['SIGHUP']);
  sup = await startSupervisor({
    file,
    command: flagString(args, 'command') ?? 'harness up -d',
    acceptNewHosts: flagBool(args, 'accept-new-hosts'),
    listener,
    onShutdownRequest: () => void shutdown.request('shutdown requested'),
  });
  log(`supervising ${file} (pid ${process.pid}, socket ${sup.socketPath()})`);
  return shutdown.done;
}
