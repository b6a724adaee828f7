// What a project left on its hosts while no supervisor ran. Unlike a local process, a remote one
// keeps its output (it writes to files), so a restarted supervisor re-attaches to every run that
// still runs with the same config hash (as Compose does with its config-hash label), from the
// recorded log offsets, and stops the others. `harness down` without a supervisor stops
// everything and removes the project's directory on each host. The hosts to visit are those
// recorded in <stateDir>/remote-services.json, so `down` also works when services.yaml no longer
// validates.
import type { ProjectConfig, ServiceConfig } from '../../../shared/config-types.js';
import type { LogStream } from '../../../shared/events.js';
import type { CleanupRequest, RecoveryReport, RunningInstance } from '../../core/executor.js';
import type { SshHost } from '../../ssh/index.js';
import type { HostSession } from './host-session.js';
import type { RemoteLanExecutor } from './remote-lan-executor.js';
import { configHashOf } from './run-files.js';

/** A host that does not answer must not hold a supervisor's first start for long; `down` waits
 * longer, since what it cannot reach it cannot stop. */
const RECOVER_TIMEOUT_MS = 10_000;
const CLEANUP_TIMEOUT_MS = 20_000;

interface Visit {
  host: SshHost;
  identityFile?: string;
}

/**
 * The hosts something of the project was started on: recorded (in remote-services.json) before
 * the first launch there, so this is every host that can hold a leftover. Hosts only named in
 * the config are not visited: nothing was started there, and an unreachable or untrusted host
 * must not slow `up` or fail `down`. (Should the record be lost, a service's next start there
 * still finds and stops its earlier run.)
 */
function hostsToVisit(executor: RemoteLanExecutor, project: ProjectConfig | null, stateDir: string): Visit[] {
  const byKey = new Map<string, ServiceConfig>();
  for (const s of project?.services ?? []) {
    if (s.target.type === 'RemoteLan') byKey.set(executor.hostFor(s).key, s);
  }
  const pool = executor.sshPool;
  return executor.store(stateDir).allHosts().map(([key, rec]) => {
    // Through the config's service when it names the host, so both share one pool entry.
    const svc = byKey.get(key);
    if (svc && svc.target.type === 'RemoteLan') return { host: executor.hostFor(svc), identityFile: svc.target.identity_file };
    return {
      host: pool.host({ host: rec.host, port: rec.port, user: rec.user, ...(rec.identityFile ? { identityFile: rec.identityFile } : {}) }),
      identityFile: rec.identityFile,
    };
  });
}

const describeExit = (e: { code: number | null; signal: string | null; error?: string }) =>
  e.error ?? (e.signal ? `signal ${e.signal}` : `exit code ${e.code}`);

export async function recoverRemote(
  executor: RemoteLanExecutor,
  project: ProjectConfig,
  stateDir: string,
  log?: (service: string, stream: LogStream, chunk: string | Buffer) => void,
): Promise<RecoveryReport> {
  const adopted = new Map<string, RunningInstance>();
  const cleaned: string[] = [];
  const store = executor.store(stateDir);
  await Promise.all(hostsToVisit(executor, project, stateDir).map(async ({ host, identityFile }) => {
    const session = executor.session(host, stateDir, identityFile);
    let runs;
    try {
      runs = await session.list(AbortSignal.timeout(RECOVER_TIMEOUT_MS));
    } catch (err) {
      cleaned.push(`${host.key}: could not look for services left there (${(err as Error).message}); \`harness down\` tries again`);
      return;
    }
    for (const snap of runs.values()) {
      if (snap.state.kind !== 'run') {
        store.removeService(host.key, snap.service);
        continue;
      }
      const svc: ServiceConfig | undefined = project.services.find((s) => s.name === snap.service);
      // The run of a Wireguard service (its packages share the run directories) still on this
      // host: its own executor recovers it. One that moved elsewhere is stopped below.
      if (svc && svc.target.type === 'Wireguard') {
        const t = svc.target;
        if (executor.sshPool.host({ host: t.host, port: t.ssh_port, user: t.user, ...(t.identity_file ? { identityFile: t.identity_file } : {}) }).key === host.key) continue;
      }
      const same = svc && svc.target.type === 'RemoteLan' && executor.hostFor(svc) === host;
      if (svc && same && snap.configHash === configHashOf(svc)) {
        const rec = store.service(host.key, snap.service);
        const run = session.adopt(snap, rec, (stream, chunk) => log?.(snap.service, stream, chunk));
        for (const t of rec?.tunnels ?? []) {
          // Its environment holds this port: asked for again; another one would be a broken edge.
          let local = { host: t.localHost, port: t.localPort };
          if (t.kind === 'relay' && t.via && t.targetPort) {
            const out = await executor.tunnels.localForward(executor.sshPool.host(t.via), { host: '127.0.0.1', port: t.targetPort }).catch(() => null);
            if (out) local = { host: '127.0.0.1', port: out.localPort };
          }
          const fwd = await executor.tunnels.remoteForward(host, local, t.remotePort).catch(() => null);
          if (!fwd || fwd.remotePort !== t.remotePort) {
            cleaned.push(`${snap.service}: the tunnel to ${t.dependency} could not get port ${t.remotePort} on ${host.key} again; restart ${snap.service} to reconnect it`);
          }
        }
        adopted.set(snap.service, executor.instanceOf(session, run, true));
        continue;
      }
      const why = !svc ? 'no such service in the file' : !same ? 'the service moved to another host or target' : 'its config changed';
      const exit = await session.stopRun(snap.service, svc?.stop_signal ?? 'SIGTERM', svc?.stop_grace_period_ms ?? 10_000).catch((err: Error) => ({ code: null, signal: null, error: err.message }));
      store.removeService(host.key, snap.service);
      cleaned.push(`${snap.service}: stopped the run left on ${host.key} (${why}): ${describeExit(exit)}`);
    }
  }));
  return { adopted, cleaned };
}

export async function cleanupRemote(executor: RemoteLanExecutor, req: CleanupRequest): Promise<boolean> {
  let ok = true;
  const signalOf = (name: string) => req.config?.services.find((s) => s.name === name);
  await Promise.all(hostsToVisit(executor, req.config, req.stateDir).map(async ({ host, identityFile }) => {
    const session: HostSession = executor.session(host, req.stateDir, identityFile);
    try {
      const runs = await session.list(AbortSignal.timeout(RECOVER_TIMEOUT_MS));
      for (const snap of runs.values()) {
        if (snap.state.kind !== 'run') continue;
        const svc = signalOf(snap.service);
        const exit = await session.stopRun(snap.service, svc?.stop_signal ?? 'SIGTERM', svc?.stop_grace_period_ms ?? 10_000);
        req.report(`${snap.service}: stopped on ${host.key} (${describeExit(exit)})`);
        if (exit.error) ok = false;
      }
      const left = [...(await session.list(AbortSignal.timeout(CLEANUP_TIMEOUT_MS))).values()].filter((s) => s.state.kind === 'run');
      if (left.length > 0) {
        ok = false;
        req.report(`${host.key}: still running: ${left.map((s) => s.service).join(', ')}`);
        return;
      }
      await session.removeRoot();
      if (runs.size > 0) req.report(`${host.key}: removed ${session.root}`);
    } catch (err) {
      ok = false;
      req.report(`${host.key}: could not stop what runs there: ${(err as Error).message} ` +
        `(if the host is gone for good, remove it from ${req.stateDir}/remote-services.json)`);
    }
  }));
  return ok;
}
