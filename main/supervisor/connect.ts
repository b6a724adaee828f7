// Finding the supervisor of a project from another process (the CLI, tests).
import { resolve } from 'node:path';
import type { ApiClientOptions } from '../../shared/api-client.js';
import { projectStateDir } from '../state/paths.js';
import { liveLockOwner, type LockInfo } from './lock.js';
import { connectSocket, type SocketApiClient } from './socket-client.js';
import { socketPathFor } from './supervisor.js';

export interface SupervisorConnection {
  client: SocketApiClient;
  owner: LockInfo | null;
}

/**
 * An ApiClient attached to the project's supervisor, or null when none runs. A socket left by a
 * dead supervisor refuses the connection, which also reads as "none".
 */
export async function connectSupervisor(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  options?: ApiClientOptions,
): Promise<SocketApiClient | null> {
  const stateDir = projectStateDir(resolve(file), env);
  return connectSocket(socketPathFor(stateDir), options);
}

/** The project's live supervisor according to its lock (it may not be serving yet). */
export function supervisorOwner(file: string, env: NodeJS.ProcessEnv = process.env): LockInfo | null {
  return liveLockOwner(projectStateDir(resolve(file), env));
}
