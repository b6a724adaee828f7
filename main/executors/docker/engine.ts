// Connection to the Docker engine: where it is (DOCKER_HOST or the default socket), and a quick
// reachability check whose failure tells the user exactly what to start.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { HarnessError } from '../../../shared/errors.js';

export interface EngineEndpoint {
  /** Human-readable location for messages: a socket path or a tcp URL. */
  where: string;
  options: Docker.DockerOptions;
}

/** Mirrors docker-modem's defaults, but resolved eagerly so messages can name the socket. */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const host = env.DOCKER_HOST?.trim();
  if (!host) {
    const userSocket = join(homedir(), '.docker', 'run', 'docker.sock');
    const socketPath = existsSync(userSocket) ? userSocket : '/var/run/docker.sock';
    return { where: socketPath, options: { socketPath } };
  }
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || '/var/run/docker.sock';
    return { where: socketPath, options: { socketPath } };
  }
  const url = new URL(host.includes('//') ? host : `tcp://${host}`);
  const tls = env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
  return {
    where: host,
    options: { host: url.hostname, port: url.port || (tls ? 2376 : 2375), protocol: tls ? 'https' : 'http' },
  };
}

export function unreachableError(where: string, reason: string): HarnessError {
  return new HarnessError(
    'UNAVAILABLE',
    `Docker engine not reachable at ${where} (is dockerd running? start it with \`sudo systemctl start docker\` or \`dockerd\`)`,
    { where, reason },
  );
}

/** Short, because a missing engine must fail a start quickly rather than hang it. */
export const PING_TIMEOUT_MS = 3000;

/** A dockerode client plus a memoised reachability check. */
export class DockerEngine {
  readonly docker: Docker;
  readonly where: string;
  private reachable: Promise<void> | null = null;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const endpoint = engineEndpoint(env);
    this.where = endpoint.where;
    this.docker = new Docker(endpoint.options);
  }

  /** Resolves when the engine answers; rejects with UNAVAILABLE (naming the socket) otherwise.
   * A success is remembered; a failure is not, so the next start tries again. */
  ensureReachable(): Promise<void> {
    if (!this.reachable) {
      this.reachable = this.ping().catch((err: unknown) => {
        this.reachable = null;
        throw err;
      });
    }
    return this.reachable;
  }

  async ping(timeoutMs = PING_TIMEOUT_MS): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      // The typings omit ping's options; dockerode does honour abortSignal there.
      const docker = this.docker as unknown as { ping(o: { abortSignal: AbortSignal }): Promise<unknown> };
      await docker.ping({ abortSignal: controller.signal });
    } catch (err) {
      const reason = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : errorText(err);
      throw unreachableError(this.where, reason);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The engine's own message from a dockerode error ("(HTTP code 404) no such image - …" → the JSON message). */
export function errorText(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string; code?: string };
  if (e?.json && typeof e.json === 'object' && typeof e.json.message === 'string') return e.json.message;
  if (typeof e?.message === 'string' && e.message) return e.message;
  return String(err);
}

/** HTTP status of a dockerode error, when the engine answered. */
export function statusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
