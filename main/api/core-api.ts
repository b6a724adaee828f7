// The core API: every method of shared/api.ts mapped onto a ProjectSession, and the session's
// events mapped onto the contract's events. Transports (Unix socket, WebSocket, Electron IPC,
// in-memory) all serve the dispatcher this returns.
import { resolve } from 'node:path';
import type { SupervisorInfo } from '../../shared/api.js';
import { assertStarted } from '../project/failed-start.js';
import type { ProjectSession } from '../project/project-session.js';
import type { SessionEvent } from '../project/session-types.js';
import { importCompose } from '../compose/import-compose.js';
import { harnessVersion } from '../os/package-root.js';
import { ApiDispatcher, type ApiEventListener, type ApiEventSource, type ApiHandlers } from './dispatcher.js';

export interface CoreApiOptions {
  /** What `supervisor.info` reports about the hosting process. */
  startedAt?: number;
  /** Ends the hosting process after `supervisor.shutdown` answered. Without it, shutdown only
   * stops the services (an embedded core has no process of its own to end). */
  onShutdown?: () => void;
  /** Environment for `project.import` (the `${VAR:+…}` forms it resolves); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface CoreApi {
  dispatcher: ApiDispatcher;
}

export function createCoreApi(session: ProjectSession, options: CoreApiOptions = {}): CoreApi {
  const startedAt = options.startedAt ?? Date.now();
  const handlers: Omit<ApiHandlers, 'logs.ack'> = {
    'project.snapshot': () => session.snapshot(),
    'project.open': ({ path }) => session.open(resolve(path)),
    'project.create': ({ path }) => session.create(resolve(path)),
    'project.reload': () => session.reload(),
    'project.edit': ({ edits, label }) => session.edit(edits, label),
    'project.save': ({ path }) => session.save(path === undefined ? undefined : resolve(path)),
    'project.import': async ({ source, target, profiles }) => {
      // Never over an existing file (no force through the API); the new file then opens like
      // project.open, problems and all, so the app shows what to fix.
      const result = await importCompose({ source: resolve(source), target: resolve(target), profiles, env: options.env });
      await session.open(result.file);
      return { file: result.file, losses: result.losses };
    },
    'project.undo': () => session.undo(),
    'project.redo': () => session.redo(),
    'project.revert': () => session.revert(),
    'project.setText': ({ text, group }) => session.setText(text, group),
    'project.source': ({ which }) => session.source(which),
    'project.validate': (input) => session.validate(input),
    'project.conflict': ({ action, text }) => session.resolveConflict(action, text),
    'project.recovery': ({ action }) => session.resolveRecovery(action),
    'project.apply': ({ services }) => session.apply(services),
    'services.start': async ({ services }) => {
      const report = await session.start(services);
      assertStarted(report);
      return { started: report.ready };
    },
    'services.stop': async ({ services }) => ({ stopped: await session.stop(services) }),
    'services.restart': async ({ services }) => ({ restarted: await session.restart(services) }),
    'services.rollback': ({ service }) => session.rollback(service),
    'logs.history': ({ service, limit }) => session.history(service, limit),
    'logs.page': (query) => session.logPage(query),
    'network.topology': () => session.topology(),
    'hosts.trust': (req) => session.trustHostKey(req),
    'supervisor.info': (): SupervisorInfo => ({
      pid: process.pid,
      file: session.file,
      project: session.config?.name ?? null,
      startedAt,
      version: harnessVersion(),
    }),
    'supervisor.shutdown': async ({ stopServices }) => {
      if (stopServices) await session.stop();
      // Answer first, then end: the caller waits for this process to be gone.
      if (options.onShutdown) setTimeout(options.onShutdown, 20);
      return null;
    },
  };
  return { dispatcher: new ApiDispatcher(handlers, sessionEventSource(session)) };
}

/** CoreEvents in the contract's shape. Log lines go one per push; the EventSession coalesces. */
export function sessionEventSource(session: ProjectSession): ApiEventSource {
  return {
    subscribe(listener: ApiEventListener) {
      return session.on((e: SessionEvent) => {
        switch (e.type) {
          case 'status':
            return listener('status', e.event);
          case 'health':
            return listener('health', e.event);
          case 'log':
            return listener('logs', { lines: [e.line] });
          case 'progress':
            return listener('progress', e.event);
          case 'project':
            return listener('project', e.event);
          case 'hostKey':
            return listener('hostKey', e.event);
        }
      });
    },
  };
}
