// Builds a real core (ServiceManager + LogStore + NetworkManager + ProcessExecutor) in a temp
// state dir for integration tests, records every event, and tears everything down.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceConfig } from '../../../shared/config-types.js';
import type { LogLine, StatusEvent } from '../../../shared/events.js';
import type { ServiceStatus } from '../../../shared/service-state.js';
import { ProcessExecutor } from '../../executors/process/process-executor.js';
import { LogStore } from '../../logs/log-store.js';
import { NetworkManager } from '../../network/network-manager.js';
import type { CoreEvent, ExecutorRegistry } from '../core-events.js';
import type { ServiceExecutor } from '../executor.js';
import { ServiceManager } from '../service-manager.js';
import { project } from './fixtures.js';
import { freePorts } from '../../test-support/ports.js';
export { freePorts };

export interface CoreHarness {
  manager: ServiceManager;
  logs: LogStore;
  network: NetworkManager;
  stateDir: string;
  events: CoreEvent[];
  statusEvents(service?: string): StatusEvent[];
  /** First status event of `service` with `status` (undefined if none). */
  first(service: string, status: ServiceStatus): StatusEvent | undefined;
  lines(service: string): LogLine[];
  waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function createCore(services: ServiceConfig[], executor?: ServiceExecutor): Promise<CoreHarness> {
  const stateDir = await mkdtemp(join(tmpdir(), 'harness-core-'));
  const logs = new LogStore({ stateDir });
  const proj = project(services, stateDir);
  const network = new NetworkManager({ project: proj.name });
  const exec = executor ?? new ProcessExecutor();
  const executors: ExecutorRegistry = new Map([[exec.type, exec]]);
  const manager = new ServiceManager({ project: proj, executors, network, logs, stateDir });
  const events: CoreEvent[] = [];
  manager.on((e) => events.push(e));
  const statusEvents = (service?: string) =>
    events.flatMap((e) => (e.type === 'status' && (!service || e.event.state.name === service) ? [e.event] : []));
  return {
    manager,
    logs,
    network,
    stateDir,
    events,
    statusEvents,
    first: (service, status) => statusEvents(service).find((e) => e.state.status === status),
    lines: (service) => logs.history(service),
    waitFor: async (pred, timeoutMs, what) => {
      const deadline = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    dispose: async () => {
      try {
        await manager.shutdown();
      } finally {
        await logs.close();
        await rm(stateDir, { recursive: true, force: true });
      }
    },
  };
}


export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
