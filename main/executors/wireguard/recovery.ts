// What a project left on its WireGuard hosts while no supervisor ran, and `harness rollback`.
//  - A deploy interrupted in its switch (the journal is there) is restored first: the previous
//    release current again and, if it was running, running (its watchdog may have done it).
//  - A run of a Wireguard service that still runs the release and config the file asks for is
//    taken over (its tunnels opened again at the same ports). One whose config or package
//    changed is left running: the next start deploys and replaces it at its switch, so it keeps
//    serving while the new release is sent. One whose service moved to another host is stopped.
//  - The RemoteLan executor recovers and cleans up everything else in the shared run directories.
import { posix } from 'node:path';
import type { ProjectConfig, ServiceConfig } from '../../../shared/config-types.js';
import { HarnessError } from '../../../shared/errors.js';
import type { LogStream } from '../../../shared/events.js';
import type { CleanupRequest, RecoveryReport, RollbackContext, RollbackResult, RunningInstance } from '../../core/executor.js';
import type { SshHost } from '../../ssh/index.js';
import type { HostSession, TunnelRecord } from '../remote-lan/index.js';
import { describeRestore } from './package-deployer.js';
import { ensureDeployScripts, type HostReleaseState, type ReleaseHost } from './release-host.js';
import type { WireguardExecutor } from './wireguard-executor.js';

const RECOVER_TIMEOUT_MS = 15_000;

interface Visit {
  host: SshHost;
  session: HostSession;
  services: ServiceConfig[];
}

/** Hosts recorded for the project (something was started there), with the Wireguard services
 * the config puts there. */
function visits(executor: WireguardExecutor, project: ProjectConfig | null, stateDir: string): Visit[] {
  const wg = (project?.services ?? []).filter((s) => s.target.type === 'Wireguard');
  const out: Visit[] = [];
  for (const [key] of executor.remote.store(stateDir).allHosts()) {
    const services = wg.filter((s) => executor.hostOf(s).key === key);
    if (services.length === 0) continue;
    const session = executor.session(services[0], stateDir);
    out.push({ host: session.host, session, services });
  }
  return out;
}

/** Ends a switch the journal says never ended: restored as the watchdog would. */
async function finishInterrupted(rh: ReleaseHost, service: ServiceConfig, state: HostReleaseState, signal: AbortSignal): Promise<{ state: HostReleaseState; line: string | null }> {
  if (!state.journal) return { state, line: null };
  const grace = service.stop_grace_period_ms;
  const result = await rh.abort(state.journal, service.stop_signal, grace, false, 3 * grace + 20_000, signal);
  return {
    state: await rh.state(signal),
    line: `${service.name}: a deploy (${state.journal}) was interrupted on ${rh.host.key}; ${describeRestore(result, state.current)}`,
  };
}

export async function recoverWireguard(
  executor: WireguardExecutor,
  project: ProjectConfig,
  stateDir: string,
  log?: (service: string, stream: LogStream, chunk: string | Buffer) => void,
): Promise<RecoveryReport> {
  const adopted = new Map<string, RunningInstance>();
  const cleaned: string[] = [];
  const signal = AbortSignal.timeout(RECOVER_TIMEOUT_MS * 4);
  await Promise.all(visits(executor, project, stateDir).map(async ({ host, session, services }) => {
    let runs;
    try {
      await ensureDeployScripts(session, AbortSignal.timeout(RECOVER_TIMEOUT_MS));
      runs = await session.list(AbortSignal.timeout(RECOVER_TIMEOUT_MS));
    } catch (err) {
      cleaned.push(`${services[0].name}: could not look for releases left running on ${host.key} (${(err as Error).message}); \`harness down\` tries again`);
      return;
    }
    for (const service of services) {
      try {
        const rh = await executor.releaseHost(service, session, signal);
        const first = await rh.state(signal);
        const { state, line } = await finishInterrupted(rh, service, first, signal);
        if (line) {
          cleaned.push(line);
          runs = await session.list(signal);
        }
        const snap = runs.get(service.name);
        if (!snap || snap.state.kind !== 'run' || !state.run.alive) continue;
        const running = state.releases.find((r) => rh.releaseDir(r.id) === state.run.workingDir);
        let wanted: string | null = null;
        try {
          const prepared = await executor.prepare(service, stateDir);
          const sha = prepared.written.tarSha256;
          wanted = state.pinned && state.pinned.sha === sha ? state.releases.find((r) => r.id === state.pinned!.release)?.sha ?? sha : sha;
        } catch (err) {
          cleaned.push(`${service.name}: release ${running?.id ?? '?'} still runs on ${host.key}; the package does not check (${(err as Error).message}), so it is left running`);
          continue;
        }
        if (running && running.sha && snap.configHash === executor.configHash(service, running.sha) && running.sha === wanted) {
          const instance = executor.adoptRun(service, session, snap, { ...running, dir: rh.releaseDir(running.id) }, rh, stateDir, (stream, chunk) => log?.(service.name, stream, chunk));
          await reopenTunnels(executor, host, executor.remote.store(stateDir).service(host.key, service.name)?.tunnels ?? [], service, cleaned);
          adopted.set(service.name, instance);
        } else {
          cleaned.push(`${service.name}: release ${running?.id ?? '(unknown)'} still runs on ${host.key} with another config or package; it serves until the next start replaces it`);
        }
      } catch (err) {
        cleaned.push(`${service.name}: recovery on ${host.key} failed: ${(err as Error).message}`);
      }
    }
  }));
  return { adopted, cleaned };
}

/** Tunnels an adopted run's environment points into, opened again at the same ports. */
async function reopenTunnels(executor: WireguardExecutor, host: SshHost, tunnels: TunnelRecord[], service: ServiceConfig, cleaned: string[]): Promise<void> {
  for (const t of tunnels) {
    let port: number | undefined;
    try {
      if (t.kind === 'publish' && t.address) {
        port = (await executor.publisher.publish(t.address, { host: t.localHost, port: t.localPort }, t.remotePort)).port;
      } else {
        let local = { host: t.localHost, port: t.localPort };
        if (t.kind === 'relay' && t.via && t.targetPort) {
          const out = await executor.remote.tunnels.localForward(executor.pool.host(t.via), { host: '127.0.0.1', port: t.targetPort });
          local = { host: '127.0.0.1', port: out.localPort };
        }
        port = (await executor.remote.tunnels.remoteForward(host, local, t.remotePort)).remotePort;
      }
    } catch {
      port = undefined;
    }
    if (port !== t.remotePort) cleaned.push(`${service.name}: the tunnel to ${t.dependency} could not get port ${t.remotePort} again; restart ${service.name} to reconnect it`);
  }
}

/** `harness down`: Wireguard runs are stopped with their stop.sh first (the RemoteLan cleanup
 * that follows stops whatever is left and removes the run directories). Releases stay. */
export async function cleanupWireguard(executor: WireguardExecutor, req: CleanupRequest): Promise<boolean> {
  let ok = true;
  await Promise.all(visits(executor, req.config, req.stateDir).map(async ({ host, session, services }) => {
    try {
      await ensureDeployScripts(session, AbortSignal.timeout(RECOVER_TIMEOUT_MS));
      for (const service of services) {
        const rh = await executor.releaseHost(service, session);
        const signal = AbortSignal.timeout(3 * service.stop_grace_period_ms + 60_000);
        const { state: s0, line } = await finishInterrupted(rh, service, await rh.state(signal), signal);
        if (line) req.report(line);
        if (!s0.run.alive) continue;
        const release = s0.releases.find((r) => rh.releaseDir(r.id) === s0.run.workingDir);
        if (release?.hasStop) await rh.stopScript(s0.run.workingDir, service.stop_grace_period_ms, signal);
        const exit = await session.stopRun(service.name, service.stop_signal, service.stop_grace_period_ms);
        req.report(`${service.name}: stopped release ${release?.id ?? '?'} on ${host.key} (${exit.error ?? (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`)})`);
        if (exit.error) ok = false;
      }
    } catch (err) {
      ok = false;
      req.report(`${host.key}: could not stop the Wireguard services there: ${(err as Error).message}`);
    }
  }));
  return ok;
}

/**
 * Makes the previous release the one the service runs: pinned (until the configured package
 * changes), and switched at once when the service does not run (a running one is switched by the
 * restart the caller does, through the deployer's transaction).
 */
export async function rollbackWireguard(executor: WireguardExecutor, service: ServiceConfig, ctx: RollbackContext): Promise<RollbackResult> {
  const signal = ctx.signal ?? AbortSignal.timeout(60_000);
  const host = executor.hostOf(service);
  await host.connect({ signal });
  const session = executor.session(service, ctx.stateDir);
  await ensureDeployScripts(session, signal);
  const rh = await executor.releaseHost(service, session, signal);
  const state = await rh.state(signal);
  if (state.journal) throw new HarnessError('CONFLICT', `${service.name}: a deploy is switching releases on ${host.key} right now; try again when it has ended`);
  if (!state.current) throw new HarnessError('NOT_FOUND', `${service.name}: nothing was deployed to ${rh.svcDir} on ${host.key} yet, so there is nothing to roll back`);
  const to = state.previous ? state.releases.find((r) => r.id === state.previous) : undefined;
  if (!to) {
    const have = state.releases.map((r) => r.id).join(', ') || 'none';
    throw new HarnessError('NOT_FOUND', `${service.name}: there is no previous release on ${host.key} to roll back to (current ${state.current}; releases there: ${have})`);
  }
  const prepared = await executor.prepare(service, ctx.stateDir);
  const sha = prepared.written.tarSha256;
  const pinFile = posix.join(rh.svcDir, 'pinned');
  // Rolling back to the configured package itself is no pin: it is what a deploy runs anyway.
  if (to.sha === sha) await host.files.unlink(pinFile, { signal }).catch(() => undefined);
  else await host.files.writeFile(pinFile, `${to.id} ${sha}\n`, { mode: 0o644, signal });
  const untracked = !ctx.running && state.run.alive;
  if (!ctx.running && !untracked) await rh.links(to.id, state.current, signal);
  return { from: state.current, to: to.id, ...(untracked ? { needsStart: true } : {}) };
}
