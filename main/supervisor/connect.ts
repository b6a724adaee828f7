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
 * dead supervisor refuses the connection, which also reads as "none"; a busy supervisor's full
 * listen queue is retried for up to 2 s (socket-client.ts).
 */
export async function connectSupervisor(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  options?: ApiClientOptions,
): Promise<SocketApiClient | null> {
  const stateDir = projectStateDir(resolve(file), env);
  // A live lock owner that refuses is between taking the lock and listening (or re-listening).
  return connectSocket(socketPathFor(stateDir), options, { expectListener: () => liveLockOwner(stateDir) !== null });
}

/** The project's live supervisor according to its lock (it may not be serving yet). */
export function supervisorOwner(file: string, env: NodeJS.ProcessEnv = process.env): LockInfo | null {
  return liveLockOwner(projectStateDir(resolve(file), env));
}
