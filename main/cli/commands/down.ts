// `harness down`: stops the stack and leaves nothing behind. With a supervisor: asks it to stop
// every service and exit, and waits until it is gone. Without one (or after it was SIGKILLed):
// stops what the state file still records, and removes the project's Docker containers/network.
import { unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultProjectName, loadProject } from '../../config/index.js';
import { projectStateDir } from '../../state/paths.js';
import { connectSupervisor } from '../../supervisor/connect.js';
import { isLockOwnerAlive, liveLockOwner, lockPath, readLock, type LockInfo } from '../../supervisor/lock.js';
import type { SocketApiClient } from '../../supervisor/socket-client.js';
import { socketPathFor } from '../../supervisor/supervisor.js';
import { FILE_FLAG, flagBool, flagSeconds, parseArgs, printHelp, type CommandSpec } from '../args.js';
import { EXIT } from '../errors.js';
import { LogPrinter, useColour } from '../output.js';
import { displayPath, projectFile } from '../project-file.js';

export const downSpec: CommandSpec = {
  name: 'down',
  usage: 'harness down [-f FILE] [-v|--volumes] [--timeout DURATION]',
  summary:
    'Stop every service (dependents first) and end the supervisor. Also stops processes left by a\n' +
    'supervisor that was killed, and removes the project\'s Docker containers and network.',
  flags: [
    FILE_FLAG,
    { name: 'volumes', short: 'v', description: 'also remove the project\'s named Docker volumes' },
    { name: 'timeout', value: true, placeholder: 'DURATION', description: 'how long to wait for the supervisor to stop (default 60s); then it is killed' },
    { name: 'no-color', description: 'no colours' },
  ],
  details: 'Exit status: 0 when nothing of the stack is left running; 1 otherwise.',
};

export async function downCommand(argv: string[]): Promise<number> {
  const args = parseArgs(downSpec, argv);
  if (args.flags.has('help')) return printHelp(downSpec);
  const file = projectFile(args, true);
  const timeoutMs = flagSeconds(args, 'timeout', 60_000, downSpec);
  const printer = new LogPrinter(process.stdout, useColour(process.stdout, flagBool(args, 'no-color')));
  const stateDir = projectStateDir(file);
  let ok = true;

  let client = await connectSupervisor(file);
  if (!client && liveLockOwner(stateDir)) {
    // Alive but not serving yet (starting up, or recovering): give it a moment.
    const until = Date.now() + 3000;
    while (!client && Date.now() < until && liveLockOwner(stateDir)) {
      await sleep(50);
      client = await connectSupervisor(file);
    }
  }
  if (client) {
    ok = (await viaSupervisor(client, stateDir, timeoutMs, printer)) && ok;
  } else {
    const owner = liveLockOwner(stateDir);
    if (owner) {
      printer.note(`supervisor pid ${owner.pid} does not answer; terminating it`);
      ok = (await terminateOwner(owner, stateDir, 10_000)) && ok;
    }
  }

  const { config } = await loadProject(file);
  // Loaded only here: the executors bring the Docker client, the heaviest import of the CLI.
  const { createExecutors, cleanupProject, disposeExecutors } = await import('../../executors/registry.js');
  const executors = createExecutors();
  try {
    const project = config?.name ?? defaultProjectName(dirname(file));
    const cleaned = await cleanupProject(executors, {
      file,
      project,
      stateDir,
      config,
      removeVolumes: flagBool(args, 'volumes'),
      report: (line) => printer.note(line),
    });
    ok = cleaned && ok;
  } finally {
    await disposeExecutors(executors);
  }
  removeStaleFiles(stateDir);
  printer.note(ok ? `${displayPath(file)}: down` : `${displayPath(file)}: down, but something could not be stopped (see above)`);
  return ok ? EXIT.OK : EXIT.FAILURE;
}

async function viaSupervisor(client: SocketApiClient, stateDir: string, timeoutMs: number, printer: LogPrinter): Promise<boolean> {
  const owner = readLock(stateDir);
  try {
    const info = await client.invoke('supervisor.info', {});
    printer.note(`stopping the stack (supervisor pid ${info.pid})`);
    client.on('status', (e) => printer.status(e.state));
    const answered = await Promise.race([
      client.invoke('supervisor.shutdown', { stopServices: true }).then(() => true, () => false),
      sleep(timeoutMs, false),
    ]);
    if (!answered) printer.note('the supervisor did not confirm the stop in time');
  } finally {
    client.close();
  }
  if (!owner) return true;
  if (await waitGone(owner, timeoutMs)) return true;
  printer.note(`supervisor pid ${owner.pid} is still running after ${Math.round(timeoutMs / 1000)}s; killing it`);
  return terminateOwner(owner, stateDir, 0);
}

/** SIGTERM (when graceMs > 0), then SIGKILL — only while the pid is still the lock's owner. */
async function terminateOwner(owner: LockInfo, stateDir: string, graceMs: number): Promise<boolean> {
  const signal = (sig: NodeJS.Signals): void => {
    if (!isLockOwnerAlive(owner)) return;
    try {
      process.kill(owner.pid, sig);
    } catch {
      // gone in between
    }
  };
  if (graceMs > 0) {
    signal('SIGTERM');
    if (await waitGone(owner, graceMs)) return true;
  }
  signal('SIGKILL');
  const gone = await waitGone(owner, 5000);
  if (gone) removeStaleFiles(stateDir);
  return gone;
}

async function waitGone(owner: LockInfo, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isLockOwnerAlive(owner)) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

/** Lock and socket of a supervisor that is gone. */
function removeStaleFiles(stateDir: string): void {
  if (liveLockOwner(stateDir)) return;
  for (const path of [lockPath(stateDir), socketPathFor(stateDir)]) {
    try {
      unlinkSync(path);
    } catch {
      // not there
    }
  }
}
