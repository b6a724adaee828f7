// `harness up -d`: starts a detached background supervisor (this same program, hidden command
// `__supervise`), asks it to start the services, prints progress, and returns when every service
// is ready — or exits non-zero naming each service that failed and why (Compose's `up -d --wait`).
// Either way the supervisor keeps running; `harness down` stops it.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogLine } from '../../../shared/events.js';
import { readLogHistory } from '../../../shared/log-history.js';
import type { ServiceState } from '../../../shared/service-state.js';
import { HarnessError } from '../../../shared/errors.js';
import { loadProject } from '../../config/load-project.js';
import { ensureProjectStateDir } from '../../state/paths.js';
import { connectSupervisor, supervisorOwner } from '../../supervisor/connect.js';
import { conflictError } from '../../supervisor/lock.js';
import type { SocketApiClient } from '../../supervisor/socket-client.js';
import { EXIT } from '../errors.js';
import { LogPrinter, describeStatus } from '../output.js';
import { ProgressPrinter } from '../progress-printer.js';
import { displayPath, formatCliProblem } from '../project-file.js';
import { SystemLineEcho } from '../system-lines.js';

export const SUPERVISOR_LOG = 'supervisor.log';

export async function upDetached(file: string, names: string[], timeoutMs: number, colour: boolean, opts: { acceptNewHosts?: boolean } = {}): Promise<number> {
  const { config, problems } = await loadProject(file);
  for (const p of problems) process.stderr.write(`${formatCliProblem(p)}\n`);
  if (!config) {
    process.stderr.write(`harness: ${displayPath(file)} has errors; nothing started\n`);
    return EXIT.FAILURE;
  }
  const owner = supervisorOwner(file);
  if (owner) throw conflictError(owner);

  const deadline = Date.now() + timeoutMs;
  const stateDir = await ensureProjectStateDir(file);
  const logFile = join(stateDir, SUPERVISOR_LOG);
  const child = spawnSupervisor(file, logFile, opts.acceptNewHosts ? ['--accept-new-hosts'] : []);
  const printer = new LogPrinter(process.stdout, colour, config.services.map((s) => s.name));
  printer.note(`started background supervisor (pid ${child.pid}); its log: ${logFile}`);

  const client = await waitForSocket(file, child, logFile, deadline);
  try {
    const progress = new ProgressPrinter((text) => printer.note(text));
    const system = new SystemLineEcho((l) => printer.line(l));
    client.on('status', (e) => printer.status(e.state));
    client.on('progress', (p) => progress.event(p));
    client.on('logs', (batch) => system.live(batch.lines));
    // Subscribed first, then the history: lines of the recovery that ran before we connected
    // (leftover processes stopped, containers adopted or removed) are printed too, each once.
    const recovery: LogLine[] = [];
    await readLogHistory(client, { limit: 1000 }, (lines) => {
      for (const l of lines) if (l.stream === 'system') recovery.push(l);
    });
    system.history(recovery);
    const request = client.invoke('services.start', names.length > 0 ? { services: names } : {});
    const outcome = await Promise.race([
      request.then((r) => ({ kind: 'ok' as const, started: r.started }), (err: unknown) => ({ kind: 'error' as const, err })),
      sleep(Math.max(0, deadline - Date.now()), { kind: 'timeout' as const }),
    ]);
    if (outcome.kind === 'ok') {
      printer.note(`${outcome.started.length} service(s) ready: ${outcome.started.join(', ')}`);
      printer.note(`supervisor pid ${child.pid}; \`harness logs -f\` follows the logs, \`harness down\` stops the stack`);
      return EXIT.OK;
    }
    if (outcome.kind === 'timeout') {
      const snapshot = await client.invoke('project.snapshot', {});
      const waiting = snapshot.services.map((s) => s.state).filter((s) => !isReadyState(s, snapshot));
      process.stderr.write(`harness: not every service was ready after ${Math.round(timeoutMs / 1000)}s:\n`);
      for (const s of waiting) process.stderr.write(`  ${s.name}: ${describeStatus(s)}\n`);
      process.stderr.write('harness: the stack keeps starting in the background; `harness down` stops it\n');
      return EXIT.TIMEOUT;
    }
    const err = outcome.err;
    const failed = err instanceof HarnessError ? (err.details as { failed?: Array<{ service: string; reason: string }> } | undefined)?.failed : undefined;
    if (!failed) throw err;
    for (const f of failed) process.stderr.write(`harness: ${f.service} failed: ${f.reason}\n`);
    process.stderr.write('harness: the services that did start keep running; `harness down` stops them\n');
    return EXIT.FAILURE;
  } finally {
    client.close();
  }
}

function isReadyState(s: ServiceState, snapshot: { services: Array<{ config: { name: string; health_check?: unknown }; state: ServiceState }> }): boolean {
  if (s.ready !== undefined) return s.ready;
  const hasCheck = snapshot.services.find((x) => x.config.name === s.name)?.config.health_check !== undefined;
  return s.status === 'healthy' || (s.status === 'running' && !hasCheck);
}

/** The program that runs us (bin/harness.js), started again as `__supervise`. */
function spawnSupervisor(file: string, logFile: string, extra: string[]): { pid: number | undefined; exited: Promise<string> } {
  const entry = resolve(process.argv[1] ?? '');
  const fd = openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [...process.execArgv, entry, '__supervise', '-f', file, ...extra], {
      detached: true, // its own session: Ctrl-C in this terminal does not reach it
      stdio: ['ignore', fd, fd],
      env: process.env,
      cwd: process.cwd(),
    });
    const exited = new Promise<string>((res) => {
      child.on('exit', (code, signal) => res(signal ? `signal ${signal}` : `exit code ${code}`));
      child.on('error', (err) => res(err.message));
    });
    child.unref();
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

async function waitForSocket(
  file: string,
  child: { pid: number | undefined; exited: Promise<string> },
  logFile: string,
  deadline: number,
): Promise<SocketApiClient> {
  let gone: string | null = null;
  void child.exited.then((why) => (gone = why));
  for (;;) {
    const client = await connectSupervisor(file);
    if (client) {
      // Another `up` may have won the race for the project: then ours refuses, and we must not
      // report that one's services as ours.
      const info = await client.invoke('supervisor.info', {});
      if (info.pid === child.pid) return client;
      client.close();
      const owner = supervisorOwner(file);
      if (owner && owner.pid !== child.pid) throw conflictError(owner);
    }
    if (gone !== null) {
      throw new HarnessError('UNAVAILABLE', `the background supervisor ended (${gone}) before serving:\n${tail(logFile, 5)}`);
    }
    if (Date.now() > deadline) throw new HarnessError('TIMEOUT', `the background supervisor did not come up in time; see ${logFile}`);
    await sleep(25);
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `  ${l}`).join('\n');
  } catch {
    return '  (no log)';
  }
}
