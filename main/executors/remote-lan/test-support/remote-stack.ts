// A real project runtime (ServiceManager, LogStore, NetworkManager and the registry's executors,
// wired as the supervisor wires them) over a services.yaml text, pointed at a set of test hosts:
// the client side's known_hosts and keys, never the real ~/.ssh. Records every event.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectConfig } from '../../../../shared/config-types.js';
import type { HostKeyEvent, LogLine } from '../../../../shared/events.js';
import type { ServiceState, ServiceStatus } from '../../../../shared/service-state.js';
import { parseProject } from '../../../config/parse-project.js';
import type { CoreEvent } from '../../../core/core-events.js';
import { ProjectRuntime } from '../../../project/project-runtime.js';
import type { TestHostSet } from '../../../test-support/test-hosts/test-hosts.js';
import type { SshPoolOptions } from '../../../ssh/index.js';
import { createExecutors } from '../../registry.js';

export interface RemoteStack {
  runtime: ProjectRuntime;
  config: ProjectConfig;
  dir: string;
  stateDir: string;
  events: CoreEvent[];
  state(name: string): ServiceState;
  lines(name: string, stream?: LogLine['stream']): string[];
  hostKeyEvents(): HostKeyEvent[];
  waitFor(what: string, pred: () => boolean, timeoutMs?: number): Promise<void>;
  waitStatus(name: string, status: ServiceStatus | ServiceStatus[], timeoutMs?: number): Promise<ServiceState>;
  /** Ends the runtime (stopping what runs), keeps the directories. */
  close(): Promise<void>;
  dispose(): Promise<void>;
}

export async function waitUntil(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000; i++) {
    if (await pred()) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * `yaml` may use `${HOST0}`, `${HOST1}`… (the hosts' addresses) and `${LOCAL}` (this machine's
 * address on the test LAN), plus anything in `env`.
 */
export async function remoteStack(
  set: TestHostSet,
  yaml: string,
  opts: { env?: Record<string, string>; ssh?: SshPoolOptions; stateDir?: string; dir?: string; watchIntervalMs?: number } = {},
): Promise<RemoteStack> {
  const dir = opts.dir ?? await mkdtemp(join(tmpdir(), 'hx-remote-'));
  const stateDir = opts.stateDir ?? await mkdtemp(join(tmpdir(), 'hx-remote-state-'));
  const env: Record<string, string> = { LOCAL: set.localAddress, ...opts.env };
  set.hosts.forEach((h, i) => { env[`HOST${i}`] = h.address; });
  const file = join(dir, 'services.yaml');
  await writeFile(file, yaml);
  const loaded = parseProject(yaml, file, env);
  if (!loaded.config) throw new Error(`test stack does not load: ${loaded.problems.slice(0, 3).map((p) => `${p.line}: ${p.path}: ${p.message}`).join('; ')}`);
  const config = loaded.config;
  const events: CoreEvent[] = [];
  const runtime = new ProjectRuntime({
    config,
    stateDir,
    executors: (log) => createExecutors({ log, ssh: set.poolOptions(opts.ssh), remoteWatchIntervalMs: opts.watchIntervalMs ?? 100 }),
    onEvent: (e) => events.push(e),
  });
  let closed = false;
  const state = (name: string) => runtime.manager.getServiceStatus(name);
  const waitFor = (what: string, pred: () => boolean, timeoutMs = 15_000) => waitUntil(what, pred, timeoutMs);
  const close = async () => {
    if (closed) return;
    closed = true;
    await runtime.dispose();
  };
  return {
    runtime, config, dir, stateDir, events, state,
    lines: (name, stream) => runtime.logs.history(name, 100_000).filter((l) => !stream || l.stream === stream).map((l) => l.line),
    hostKeyEvents: () => events.flatMap((e) => (e.type === 'hostKey' ? [e.event] : [])),
    waitFor,
    waitStatus: async (name, status, timeoutMs = 15_000) => {
      const want = Array.isArray(status) ? status : [status];
      await waitFor(`${name} to be ${want.join('/')} (is ${state(name).status}: ${state(name).error ?? ''})`, () => want.includes(state(name).status), timeoutMs);
      return state(name);
    },
    close,
    dispose: async () => {
      await close();
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
      if (!opts.stateDir) await rm(stateDir, { recursive: true, force: true });
    },
  };
}
