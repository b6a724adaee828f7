// `harness up`: in the foreground this process becomes the project's supervisor and prints the
// merged log stream until Ctrl-C; with -d a background supervisor is started (up-detached.ts).
import type { SessionEvent } from '../../project/session-types.js';
import { startSupervisor, type Supervisor } from '../../supervisor/supervisor.js';
import { FILE_FLAG, flagBool, flagSeconds, parseArgs, printHelp, type CommandSpec } from '../args.js';
import { EXIT, reportError } from '../errors.js';
import { LogPrinter, useColour } from '../output.js';
import { ProgressPrinter } from '../progress-printer.js';
import { createShutdown } from '../shutdown-signals.js';
import { displayPath, formatCliProblem, projectFile } from '../project-file.js';
import { upDetached } from './up-detached.js';

export const upSpec: CommandSpec = {
  name: 'up',
  usage: 'harness up [-f FILE] [-d] [--timeout DURATION] [--no-color] [--accept-new-hosts] [SERVICE...]',
  summary:
    'Start the stack (or the named services and their dependencies) in dependency order.\n' +
    'Foreground: prints every service\'s log, prefixed by its name; Ctrl-C stops everything in\n' +
    'reverse dependency order (a second Ctrl-C kills what is left at once).',
  flags: [
    FILE_FLAG,
    { name: 'detach', short: 'd', description: 'run in the background; return once every service is ready' },
    { name: 'timeout', value: true, placeholder: 'DURATION', description: 'with -d: how long to wait for readiness (default 120s)' },
    { name: 'no-color', description: 'no colours (also NO_COLOR=1, or when stdout is not a terminal)' },
    { name: 'accept-new-hosts', description: 'trust SSH host keys seen for the first time (OpenSSH accept-new); a changed key is still refused' },
  ],
  details:
    'Exit status: 0 when stopped by Ctrl-C/SIGTERM (foreground) or when every service is ready (-d);\n' +
    '1 when the file is invalid or (-d) a service failed; 3 when another process already supervises\n' +
    'the project; 4 when (-d) --timeout passed before every service was ready.',
};

export async function upCommand(argv: string[]): Promise<number> {
  const args = parseArgs(upSpec, argv);
  if (args.flags.has('help')) return printHelp(upSpec);
  const file = projectFile(args, true);
  const colour = useColour(process.stdout, flagBool(args, 'no-color'));
  const acceptNewHosts = flagBool(args, 'accept-new-hosts');
  if (flagBool(args, 'detach')) {
    return upDetached(file, args.positionals, flagSeconds(args, 'timeout', 120_000, upSpec), colour, { acceptNewHosts });
  }
  return upForeground(file, args.positionals, colour, acceptNewHosts);
}

async function upForeground(file: string, names: string[], colour: boolean, acceptNewHosts: boolean): Promise<number> {
  const printer = new LogPrinter(process.stdout, colour);
  const progress = new ProgressPrinter((text) => printer.note(text));
  const listener = (e: SessionEvent): void => {
    if (e.type === 'log') printer.line(e.line);
    else if (e.type === 'status') printer.status(e.event.state);
    else if (e.type === 'progress') progress.event(e.event);
  };
  let sup: Supervisor | null = null;
  const shutdown = createShutdown({
    stop: async () => sup?.close(),
    force: () => sup?.session.forceKill(),
    onStopping: (_why, signal) => {
      if (signal) printer.note(`${signal}: stopping every service in reverse dependency order (Ctrl-C again to force)`);
    },
    onForcing: () => printer.note('forcing: killing every service\'s process group now'),
    onStopped: () => printer.note('all services stopped'),
    onError: (err) => reportError(err),
  });

  sup = await startSupervisor({
    file,
    command: 'harness up',
    acceptNewHosts,
    listener,
    onShutdownRequest: () => {
      printer.note('stop requested by `harness down`');
      void shutdown.request('harness down');
    },
  });
  const session = sup.session;
  for (const p of session.problems) process.stderr.write(`${formatCliProblem(p)}\n`);
  if (!session.config) {
    process.stderr.write(`harness: ${displayPath(file)} has errors; nothing started\n`);
    await sup.close();
    return EXIT.FAILURE;
  }
  for (const s of session.config.services) printer.register(s.name);

  shutdown.trapSignals(['SIGINT', 'SIGTERM', 'SIGHUP']);
  try {
    const report = await session.start(names.length > 0 ? names : undefined);
    if (!shutdown.requested) {
      for (const f of report.failed) printer.note(`${f.service} failed: ${f.reason}`);
      if (report.ready.length > 0) printer.note(`ready: ${report.ready.join(', ')}`);
    }
  } catch (err) {
    if (!shutdown.requested) {
      reportError(err);
      await shutdown.request('start failed');
      shutdown.dispose();
      return EXIT.FAILURE;
    }
  }
  const code = await shutdown.done;
  shutdown.dispose();
  return code;
}
