// The process that supervises a project: holds the project's lock, runs its ProjectSession and
// serves the core API on `<projectStateDir>/supervisor.sock`, so `harness ps/logs/down` and the
// desktop app attach to whichever process that is (foreground `harness up`, the background one of
// `harness up -d`, `harness serve`, the Electron main process).
//
// Usage (the whole API for hosts):
//
//   const sup = await startSupervisor({ file: 'services.yaml', command: 'harness serve',
//                                       onShutdownRequest: () => void sup.close().then(() => process.exit(0)) });
//   sup.session      // ProjectSession: open/edit/save/start/stop, events
//   sup.dispatcher   // ApiDispatcher: serve it on more transports (WebSocket, IPC) with servePeer
//   await sup.close()  // stops every service, closes the socket, releases the lock
//
// `file: null` starts with no project (the app's empty state); the lock and the socket are taken
// when a project is opened (`project.open`), and move with it when another one is opened.
// Throws HarnessError('CONFLICT') when another live process supervises the project; a stale lock
// (owner dead, or its pid recycled) is taken over.
import { join, resolve } from 'node:path';
import type { ApiDispatcher } from '../api/dispatcher.js';
import { createCoreApi } from '../api/core-api.js';
import type { ExecutorRegistry, ExecutorRegistryOptions } from '../executors/registry.js';
import { ProjectSession } from '../project/project-session.js';
import type { ProjectClaim, SessionListener } from '../project/session-types.js';
import { acquireLock } from './lock.js';
import { serveUnixSocket, type SocketServer } from './socket-server.js';

export const SOCKET_FILE = 'supervisor.sock';

export interface SupervisorOptions {
  /** services.yaml to open now; null/undefined = no project yet. */
  file?: string | null;
  /** Shown to a second supervisor of the same project: 'harness up', 'harness serve', … */
  command: string;
  /** Environment for interpolation and HARNESS_STATE_DIR. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A client called `supervisor.shutdown` (services already stopped when it asked so). The host
   * should `await close()` and end its process. Default: close and `process.exit(0)`. */
  onShutdownRequest?: () => void;
  /** Subscribed before the first project is opened, so recovery lines are not missed. */
  listener?: SessionListener;
  /** For tests: executors for each opened project. */
  executors?: (options: ExecutorRegistryOptions) => ExecutorRegistry;
  /** Unknown SSH host keys are appended and accepted (OpenSSH's accept-new); changed or revoked
   * keys are refused all the same. `--accept-new-hosts` of up/serve. */
  acceptNewHosts?: boolean;
}

export interface Supervisor {
  readonly session: ProjectSession;
  readonly dispatcher: ApiDispatcher;
  /** The socket currently served, null while no project is open. */
  socketPath(): string | null;
  close(): Promise<void>;
}

export function socketPathFor(stateDir: string): string {
  return join(stateDir, SOCKET_FILE);
}

export async function startSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  let dispatcher: ApiDispatcher | null = null;
  let server: SocketServer | null = null;

  const claim: ProjectClaim = async (file, stateDir, project) => {
    const lock = acquireLock(stateDir, { command: options.command, file, project });
    let served: SocketServer;
    try {
      served = await serveUnixSocket(dispatcher as ApiDispatcher, socketPathFor(stateDir));
    } catch (err) {
      lock.release();
      throw err;
    }
    server = served;
    return async () => {
      if (server === served) server = null;
      await served.close();
      lock.release();
    };
  };

  const session = new ProjectSession({
    env: options.env,
    claim,
    executors: options.executors,
    ...(options.acceptNewHosts ? { executorOptions: { ssh: { hostKeyPolicy: 'accept-new' } } } : {}),
  });
  if (options.listener) session.on(options.listener);
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => (closing ??= session.close());
  const api = createCoreApi(session, {
    onShutdown: options.onShutdownRequest ?? (() => void close().finally(() => process.exit(0))),
  });
  dispatcher = api.dispatcher;

  if (options.file) {
    try {
      await session.open(resolve(options.file));
    } catch (err) {
      await close();
      throw err;
    }
  }
  return {
    session,
    dispatcher: api.dispatcher,
    socketPath: () => server?.path ?? null,
    close,
  };
}
