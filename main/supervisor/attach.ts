// Attaching to a supervisor that already runs for a file (started by `harness up -d`, another
// `harness serve` or the app): a dispatcher that forwards every call to its socket and re-emits its
// events, so a second transport (the browser UI) shows the same state, logs and controls. Only a
// second *supervisor* for one project is refused; any number of clients may attach.
import { API_PARAM_SCHEMAS, type ApiMethodName } from '../../shared/api.js';
import { HarnessError } from '../../shared/errors.js';
import { API_EVENT_NAMES, type ApiEventName } from '../../shared/events.js';
import { ApiDispatcher, type ApiEventListener, type ApiHandlers } from '../api/dispatcher.js';
import { connectSupervisor } from './connect.js';
import type { SocketApiClient } from './socket-client.js';

export interface AttachedSupervisor {
  dispatcher: ApiDispatcher;
  client: SocketApiClient;
  /** pid and command of the supervisor attached to. */
  owner: { pid: number; file: string | null };
  /** Resolves when the supervisor goes away (stopped, killed). */
  closed: Promise<void>;
  close(): void;
}

/** Methods that would move the supervisor to another file: an attached client may not. */
const SWITCHES_FILE: ReadonlySet<ApiMethodName> = new Set(['project.open', 'project.create', 'project.import']);

/** A dispatcher over the supervisor of `file`, or null when none runs. */
export async function attachToSupervisor(file: string, env: NodeJS.ProcessEnv = process.env): Promise<AttachedSupervisor | null> {
  // Log lines are acknowledged as they arrive: each attached peer gets its own flow control from
  // the dispatcher's sessions, which count what a slow peer misses instead of stalling the core.
  const client = await connectSupervisor(file, env, { autoAckLogs: true });
  if (!client) return null;
  const info = await client.invoke('supervisor.info', {});
  const handlers = {} as Record<string, (params: unknown) => Promise<unknown>>;
  for (const method of Object.keys(API_PARAM_SCHEMAS) as ApiMethodName[]) {
    if (method === 'logs.ack') continue;
    handlers[method] = async (params) => {
      if (SWITCHES_FILE.has(method)) {
        const path = (params as { path?: string; target?: string }).path ?? (params as { target?: string }).target;
        if (path !== info.file) {
          throw new HarnessError(
            'CONFLICT',
            `this UI is attached to the supervisor of ${info.file} (pid ${info.pid}); to work on another file, start \`harness serve -f FILE\` for it`,
          );
        }
      }
      return client.invoke(method, params as never);
    };
  }
  const events = {
    subscribe(listener: ApiEventListener) {
      const offs = API_EVENT_NAMES.map((name: ApiEventName) => client.on(name, (payload) => listener(name, payload as never)));
      return () => offs.forEach((off) => off());
    },
  };
  return {
    dispatcher: new ApiDispatcher(handlers as unknown as Omit<ApiHandlers, 'logs.ack'>, events),
    client,
    owner: { pid: info.pid, file: info.file },
    closed: client.closed,
    close: () => client.close(),
  };
}
