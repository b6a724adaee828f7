// ServiceExecutor for `type: Wireguard`: a package deployed to a host that this machine reaches
// through a WireGuard tunnel (docs/packages.md, docs/wireguard.md). A start is a deploy
// (package-deployer.ts); what runs on the host runs as a RemoteLan service does — the same run
// directories, launch wrapper, watch channel, log follows and SSH connection, shared with the
// RemoteLan executor of the registry (one HostSession per host and project).
import { createHash } from 'node:crypto';
import { basename, join, posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthCheck, HealthTiming, ProjectConfig, ServiceConfig, WireguardTarget } from '../../../shared/config-types.js';
import { HarnessError } from '../../../shared/errors.js';
import type { LogStream } from '../../../shared/events.js';
import type { TopologyContribution, WireGuardTopology } from '../../../shared/network-types.js';
import type { HealthResult } from '../../../shared/service-state.js';
import type {
  CleanupRequest, ContributedResolver, ExecutorContext, ExitInfo, RecoveryReport, ResolverContext, RollbackContext, RollbackResult, RunningInstance, ServiceExecutor, StopOptions,
} from '../../core/executor.js';
import type { LocationPatch } from '../../network/network-manager.js';
import { probeHttp, probeTcp } from '../../health/probes.js';
import { normaliseSignal } from '../../os/process-group.js';
import { loopbackOnly } from '../../os/tcp-listeners.js';
import { findTunnel, WireGuardDetector, type TunnelMatch } from '../../os/wireguard-topology.js';
import type { SshHost, SshPool } from '../../ssh/index.js';
import { remoteMarkerEnv } from '../../state/markers.js';
import {
  CHECK_SH, RemoteListeners, SCRIPTS_DIR, type HostSession, type RemoteLanExecutor, type RemoteRun, type RunSnapshot, type SharedSshPool, type TunnelRecord,
} from '../remote-lan/index.js';
import { wireguardLocationResolvers } from './location-resolvers.js';
import { deployPackage, type ChosenRelease } from './package-deployer.js';
import { DEFAULT_INSTALL_ROOT } from './package-format.js';
import { preparePackage, type PreparedPackage } from './package-prep.js';
import { cleanupWireguard, recoverWireguard, rollbackWireguard } from './recovery.js';
import { ReleaseHost } from './release-host.js';
import { TunnelPublisher } from './tunnel-publisher.js';

export interface WireguardExecutorOptions {
  /** The registry's RemoteLan executor: its sessions (one per host and project), state store,
   * tunnels and host-key prompts are shared. */
  remote: RemoteLanExecutor;
  ssh: SharedSshPool;
  recoveredLog?: (service: string, stream: LogStream, chunk: string | Buffer) => void;
  /** Releases kept per service. Default 5. */
  keepReleases?: number;
}

/** The default health timing (docs/services-yaml.md), for a package's own health.sh. */
const HEALTH_SH_TIMING: HealthTiming = { interval_ms: 1000, start_interval_ms: 25, timeout_ms: 5000, retries: 3, start_period_ms: 60_000 };
/** Without any health check, start.sh must still run this long after its launch. */
const SETTLE_MS = 1000;


export function wireguardTarget(service: ServiceConfig): WireguardTarget {
  if (service.target.type !== 'Wireguard') {
    throw new HarnessError('BAD_REQUEST', `${service.name}: the Wireguard executor cannot run a ${service.target.type} target`);
  }
  return service.target;
}

interface Tracked {
  session: HostSession;
  run: RemoteRun;
  release: ChosenRelease;
  rh: ReleaseHost;
}

export class WireguardExecutor implements ServiceExecutor {
  readonly type = 'Wireguard' as const;
  readonly publisher = new TunnelPublisher();
  private readonly listeners = new RemoteListeners();
  private readonly tracked = new WeakMap<RunningInstance, Tracked>();
  private readonly matches = new Map<string, TunnelMatch>();
  private readonly homes = new Map<string, Promise<string>>();
  private readonly edgeTunnels = new Map<string, Map<string, TunnelRecord>>();
  private readonly sessions = new Set<HostSession>();
  /** Instances a restart handed over (handOver): replaced by the deploy that follows. */
  private readonly handedOver = new Map<string, Tracked>();
  private detectorKey = '';
  private detectorValue: WireGuardDetector | null = null;
  private readonly release: () => Promise<void>;

  constructor(readonly opts: WireguardExecutorOptions) {
    this.release = opts.ssh.use();
  }

  get remote(): RemoteLanExecutor {
    return this.opts.remote;
  }

  get pool(): SshPool {
    return this.opts.ssh.pool;
  }

  /** The detector of the project's tunnels (its `networks:` count). */
  detector(project?: ProjectConfig): WireGuardDetector {
    const key = JSON.stringify(project?.networks ?? []);
    if (!this.detectorValue || (project && key !== this.detectorKey)) {
      this.detectorKey = key;
      this.detectorValue = new WireGuardDetector({ declared: project?.networks ?? [] });
    }
    return this.detectorValue;
  }

  /** The tunnel that reaches the service's host; the detector's message when none does. */
  async tunnelFor(service: ServiceConfig, project?: ProjectConfig): Promise<TunnelMatch> {
    const m = await this.detector(project).tunnelFor(wireguardTarget(service).host);
    this.matches.set(service.name, m);
    return m;
  }

  match(service: ServiceConfig): TunnelMatch | undefined {
    const t = wireguardTarget(service);
    const last = this.detectorValue?.last();
    return this.matches.get(service.name) ?? (last ? findTunnel(last, t.host) ?? undefined : undefined);
  }

  /** The pool's host of a RemoteLan or Wireguard service (one connection per host/port/user). */
  hostOf(service: ServiceConfig): SshHost {
    const t = service.target;
    if (t.type !== 'Wireguard' && t.type !== 'RemoteLan') throw new HarnessError('BAD_REQUEST', `${service.name} is not on a remote host`);
    return this.pool.host({ host: t.host, port: t.ssh_port, user: t.user, ...(t.identity_file ? { identityFile: t.identity_file } : {}) });
  }

  session(service: ServiceConfig, stateDir: string): HostSession {
    const s = this.remote.session(this.hostOf(service), stateDir, wireguardTarget(service).identity_file);
    this.sessions.add(s);
    return s;
  }

  /** `<install_root>/<service>` on the host, absolute. */
  async serviceDir(service: ServiceConfig, host: SshHost, signal?: AbortSignal): Promise<string> {
    const root = wireguardTarget(service).install_root ?? DEFAULT_INSTALL_ROOT;
    if (root.startsWith('/')) return posix.join(root, service.name);
    let home = this.homes.get(host.key);
    if (!home) {
      home = host.files.realpath('.', { signal });
      this.homes.set(host.key, home);
      home.catch(() => this.homes.delete(host.key));
    }
    return posix.join(await home, root, service.name);
  }

  async releaseHost(service: ServiceConfig, session: HostSession, signal?: AbortSignal): Promise<ReleaseHost> {
    await session.prepare(signal);
    const svc = await this.serviceDir(service, session.host, signal);
    return new ReleaseHost(session.host, svc, session.runDir(service.name), posix.join(session.root, SCRIPTS_DIR));
  }

  prepare(service: ServiceConfig, stateDir: string, onProgress?: (read: number, total: number) => void): Promise<PreparedPackage> {
    return preparePackage(wireguardTarget(service).package, { cacheDir: join(stateDir, 'packages'), ...(onProgress ? { onProgress } : {}) });
  }

  /** What makes a run the one the config asks for (recovery adopts it): the target and the
   * content of the release it runs. */
  configHash(service: ServiceConfig, releaseSha: string): string {
    const t = wireguardTarget(service);
    const basis = {
      host: t.host, port: t.ssh_port, user: t.user, env: t.env, ports: t.ports, install_root: t.install_root ?? DEFAULT_INSTALL_ROOT,
      tunnel: t.tunnel ?? 'auto', stop_signal: service.stop_signal, release: releaseSha,
    };
    return createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 16);
  }

  instanceOf(t: Tracked, adopted = false): RunningInstance {
    const instance: RunningInstance = {
      id: t.run.id.pid !== undefined ? String(t.run.id.pid) : t.run.runId,
      exited: t.run.exited,
      conditions: (listener) => t.run.conditions(listener),
      ...(adopted ? { adopted: true } : {}),
    };
    this.tracked.set(instance, t);
    return instance;
  }

  async start(service: ServiceConfig, ctx: ExecutorContext): Promise<RunningInstance> {
    const t = wireguardTarget(service);
    normaliseSignal(service.stop_signal, service.name);
    try {
      return await this.deploy(service, t, ctx);
    } catch (err) {
      ctx.progress({ task: 'deploy', message: '', error: (err as Error).message });
      throw err;
    }
  }

  private async deploy(service: ServiceConfig, t: WireguardTarget, ctx: ExecutorContext): Promise<RunningInstance> {
    const prior = this.handedOver.get(service.name);
    this.handedOver.delete(service.name);
    try {
      return await this.deployOver(service, t, ctx, prior);
    } catch (err) {
      // A restart whose deploy failed before its switch: the release handed over still serves.
      // Said in the error, since the service now shows failed while that release runs on.
      if (!prior?.run.running) throw err;
      const e = err as Error;
      const kept = ` (release ${prior.release.id} still runs on ${prior.session.host.key} and serves; Start retries the deploy, \`harness down\` stops it)`;
      throw e instanceof HarnessError ? new HarnessError(e.code, `${e.message}${kept}`, e.details) : new Error(`${e.message}${kept}`);
    }
  }

  private async deployOver(service: ServiceConfig, t: WireguardTarget, ctx: ExecutorContext, prior: Tracked | undefined): Promise<RunningInstance> {
    const match = await this.tunnelFor(service, ctx.project);
    let lastCheck = 0;
    ctx.progress({ task: 'deploy', message: `checking ${basename(t.package)}` });
    const prepared = await this.prepare(service, ctx.stateDir, (read, total) => {
      const now = Date.now();
      if (now - lastCheck < 200) return;
      lastCheck = now;
      ctx.progress({ task: 'deploy', message: `checking ${basename(t.package)}`, current: read, total });
    });
    for (const w of prepared.layout.warnings) ctx.log('system', `${basename(t.package)}: ${w}\n`);
    const manifest = prepared.layout.manifest;
    ctx.progress({
      task: 'deploy',
      message: `checked ${manifest ? `${manifest.name} ${manifest.version}` : basename(t.package)}: ${prepared.members} entries, content ${prepared.written.tarSha256.slice(0, 12)}${prepared.cached ? ' (cached)' : ''}`,
    });
    const host = this.hostOf(service);
    try {
      const info = await host.connect({ signal: ctx.signal });
      if (info.addedKnownHost) ctx.log('system', `Permanently added ${info.addedKnownHost.split(' ').slice(0, 2).join(' ')} (accept-new)\n`);
    } catch (err) {
      this.remote.reportHostKey(err, service.name, t.user);
      throw err;
    }
    const session = this.session(service, ctx.stateDir);
    const rh = await this.releaseHost(service, session, ctx.signal);
    const store = this.remote.store(ctx.stateDir);
    if (prior && prior.run.running && prior.session.host !== host) {
      // The service moved to another host: what ran on the old one is stopped first.
      ctx.log('system', `stopping release ${prior.release.id} on ${prior.session.host.key} (the service moved to ${host.key})\n`);
      if (prior.release.hasStop) await prior.rh.stopScript(prior.release.dir, service.stop_grace_period_ms).catch(() => undefined);
      await prior.session.stopRun(service.name, service.stop_signal, service.stop_grace_period_ms);
    }
    const result = await deployPackage({
      service, target: t, file: ctx.project.file, host, session, release: rh, prepared,
      configHash: (sha) => this.configHash(service, sha),
      env: (release) => ({
        ...ctx.injectedEnv,
        ...t.env,
        HARNESS_RELEASE_ID: release.id,
        HARNESS_RELEASE_DIR: release.dir,
        HARNESS_DATA_DIR: posix.join(rh.svcDir, 'data'),
        ...remoteMarkerEnv(ctx.project.name, ctx.stateDir, service.name, host.key),
      }),
      healthy: (run, release, signal) => this.untilHealthy(service, { session, run, release, rh }, signal),
      healthBoundMs: this.healthBoundMs(service),
      adopt: (snap: RunSnapshot) => session.adopt(snap, store.service(host.key, service.name), (stream, chunk) => ctx.log(stream, chunk)),
      progress: ctx.progress,
      log: (stream, chunk) => ctx.log(stream, chunk),
      signal: ctx.signal,
      keepReleases: this.opts.keepReleases,
      restarting: prior !== undefined && prior.session.host === host && prior.run.running,
    });
    const tunnels = [...(this.edgeTunnels.get(service.name)?.values() ?? [])];
    if (tunnels.length > 0) session.recordTunnels(service.name, tunnels);
    ctx.log('system', `${result.adopted ? 'took over' : 'deployed'} release ${result.release.id} on ${host.key} via ${match.interface}` +
      ` (${result.release.dir}${result.run.id.pid ? `, pid ${result.run.id.pid}` : ''}${result.previous ? `; previous ${result.previous}` : ''})\n`);
    return this.instanceOf({ session, run: result.run, release: result.release, rh }, result.adopted);
  }

  /** The check a deploy waits for: the service's own (not a log check, which the manager
   * evaluates), else the package's health.sh, else none. */
  private deployCheck(service: ServiceConfig, release: { hasHealth: boolean }): Exclude<HealthCheck, { type: 'log' }> | null {
    const hc = service.health_check;
    if (hc && hc.type !== 'log') return hc;
    if (!hc && release.hasHealth) return { type: 'command', command: ['./health.sh'], ...HEALTH_SH_TIMING };
    return null;
  }

  private healthBoundMs(service: ServiceConfig): number {
    const hc = service.health_check && service.health_check.type !== 'log' ? service.health_check : HEALTH_SH_TIMING;
    return Math.max(hc.start_period_ms, 2000) + hc.timeout_ms + SETTLE_MS;
  }

  /** Null once the new release is healthy; why not when it exits or the start period ends. */
  private async untilHealthy(service: ServiceConfig, t: Tracked, signal: AbortSignal): Promise<string | null> {
    const instance = this.instanceOf(t);
    const exitReason = async () => describeExit(await t.run.exited);
    const check = this.deployCheck(service, t.release);
    if (!check) {
      const ended = await Promise.race([t.run.exited.then(() => true), sleep(SETTLE_MS, false, { signal }).catch(() => false)]);
      if (signal.aborted) throw new HarnessError('CANCELLED', `${service.name}: the deploy was cancelled`);
      return ended ? `start.sh ${await exitReason()} within ${SETTLE_MS / 1000} s of its start` : null;
    }
    const bound = Math.max(check.start_period_ms, 2000);
    const deadline = Date.now() + bound;
    let last = '';
    for (let i = 0; i < 1_000_000; i++) {
      if (signal.aborted) throw new HarnessError('CANCELLED', `${service.name}: the deploy was cancelled`);
      if (!t.run.running) return `start.sh ${await exitReason()} before it was healthy${last ? ` (last check: ${last})` : ''}`;
      const r = await this.healthCheck(service, instance, check, signal);
      if (r.ok) return null;
      last = r.message;
      if (Date.now() >= deadline) return `not healthy within ${Math.round(bound / 1000)} s (start_period): ${last}`;
      await Promise.race([t.run.exited, sleep(check.start_interval_ms ?? Math.min(25, check.interval_ms), undefined, { signal }).catch(() => undefined)]);
    }
    return 'health wait ended';
  }

  async stop(service: ServiceConfig, instance: RunningInstance, opts: StopOptions): Promise<ExitInfo> {
    const t = this.tracked.get(instance);
    if (!t) return instance.exited;
    if (!t.run.running) return t.run.exited;
    const sig = normaliseSignal(opts.signal, service.name);
    const grace = Math.max(0, opts.graceMs);
    if (t.release.hasStop) {
      const r = await t.rh.stopScript(t.release.dir, grace).catch((err: Error) => `failed (${err.message})`);
      if (r !== 'none' && !r.startsWith('done')) this.opts.recoveredLog?.(service.name, 'system', `stop.sh ${r === 'timeout' ? `still ran after ${grace} ms: killed` : r}; now ${sig}\n`);
      if (!t.run.running) return t.run.exited;
    }
    return t.session.stopRun(service.name, sig, grace);
  }

  /** A restart: the release keeps running (and serving) until the deploy that follows stops it
   * at its switch; a deploy that fails before that leaves it running. */
  async handOver(service: ServiceConfig, instance: RunningInstance): Promise<void> {
    const t = this.tracked.get(instance);
    if (t?.run.running) this.handedOver.set(service.name, t);
  }

  forceKill(service: ServiceConfig, instance: RunningInstance): void {
    const t = this.tracked.get(instance);
    if (t?.run.running) void t.session.killRun(service.name).catch(() => undefined);
  }

  async healthCheck(service: ServiceConfig, instance: RunningInstance, check: Exclude<HealthCheck, { type: 'log' }>, signal: AbortSignal): Promise<HealthResult> {
    const t = this.tracked.get(instance);
    const running = () => t?.run.running === true && t.run.reachable;
    if (!t || !running()) {
      return { ok: false, message: t?.run.running ? 'its host does not answer' : `the release of ${service.name} is not running`, at: Date.now() };
    }
    const whileRunning = async (probe: () => Promise<HealthResult>): Promise<HealthResult> => {
      const r = await probe();
      return r.ok && !running() ? { ok: false, message: 'the release exited during the check', at: r.at } : r;
    };
    switch (check.type) {
      case 'tcp': {
        const local = !check.host || ['127.0.0.1', 'localhost', '::1'].includes(check.host);
        const view = local ? await this.viewFromHere(service, check.port, signal) : { address: check.host!, port: check.port };
        return whileRunning(() => probeTcp(view.address, view.port, check.timeout_ms, signal));
      }
      case 'http': {
        const u = new URL(check.url);
        if (['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
          const view = await this.viewFromHere(service, Number(u.port || (u.protocol === 'https:' ? 443 : 80)), signal);
          u.hostname = view.address.includes(':') ? `[${view.address}]` : view.address;
          u.port = String(view.port);
        }
        return whileRunning(() => probeHttp(u.toString(), check.expect_status, check.timeout_ms, signal));
      }
      case 'command':
        return this.commandCheck(t, check, signal);
    }
  }

  /** Where this machine reaches port `port` of the service: the peer's tunnel address, or a
   * local forward when it listens only on 127.0.0.1 there (or `tunnel: always`). */
  async viewFromHere(service: ServiceConfig, port: number, signal?: AbortSignal): Promise<{ address: string; port: number }> {
    const t = wireguardTarget(service);
    const host = this.hostOf(service);
    const target = { host: '127.0.0.1', port };
    const open = this.remote.tunnels.openLocal(host.key, target);
    if (open) return { address: '127.0.0.1', port: open.localPort };
    const mode = t.tunnel ?? 'auto';
    if (mode === 'always' || (mode === 'auto' && loopbackOnly(await this.listeners.read(host, signal).catch(() => []), port))) {
      const fwd = await this.remote.tunnels.localForward(host, target);
      return { address: '127.0.0.1', port: fwd.localPort };
    }
    return { address: t.host, port };
  }

  private async commandCheck(t: Tracked, check: Extract<HealthCheck, { type: 'command' }>, signal: AbortSignal): Promise<HealthResult> {
    try {
      const r = await t.session.host.exec(['sh', '-c', CHECK_SH, 'harness-check', t.run.dir, t.release.dir, ...check.command], {
        signal, timeoutMs: check.timeout_ms, maxOutputBytes: 64 * 1024,
      });
      const last = (r.stdout.trim() || r.stderr.trim()).split('\n').pop()?.slice(0, 200) ?? '';
      const ok = r.code === 0;
      return { ok, message: ok ? last || 'exit code 0' : `exit ${r.code ?? r.signal}${last ? `: ${last}` : ''}`, at: Date.now() };
    } catch (err) {
      return { ok: false, message: (err as Error).message, at: Date.now() };
    }
  }

  /** A package's health.sh, for a service without a health_check: ready once it passes. */
  async watchNativeHealth(service: ServiceConfig, instance: RunningInstance, onResult: (r: HealthResult) => void, signal: AbortSignal): Promise<boolean> {
    const t = this.tracked.get(instance);
    if (!t || service.health_check || !t.release.hasHealth) return false;
    const check = { type: 'command' as const, command: ['./health.sh'], ...HEALTH_SH_TIMING };
    let everHealthy = false;
    for (let i = 0; i < 1e9 && !signal.aborted && t.run.running; i++) {
      const r = await this.commandCheck(t, check, signal);
      if (signal.aborted) break;
      onResult(r);
      everHealthy ||= r.ok;
      await Promise.race([t.run.exited, sleep(everHealthy ? check.interval_ms : check.start_interval_ms, undefined, { signal }).catch(() => undefined)]);
    }
    return true;
  }

  /** The tail of the run's log files on its host. */
  async getLogs(service: ServiceConfig, opts: { tail: number }): Promise<Array<{ stream: LogStream; line: string }>> {
    const host = this.hostOf(service);
    const out: Array<{ stream: LogStream; line: string }> = [];
    const session = [...this.sessions].find((s) => s.host === host && s.run(service.name));
    if (!session) return out;
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = await host.files.readFile(`${session.runDir(service.name)}/${stream}.log`).then((b) => b.toString('utf8'), () => '');
      for (const line of text.split('\n').slice(0, -1).slice(-opts.tail)) out.push({ stream, line });
    }
    return out;
  }

  locationOf(service: ServiceConfig): { kind: 'wireguard'; host: string; via?: string } {
    const t = wireguardTarget(service);
    const via = this.match(service)?.interface;
    return { kind: 'wireguard', host: t.host, ...(via ? { via } : {}) };
  }

  locate(service: ServiceConfig): LocationPatch | undefined {
    const via = this.match(service)?.interface;
    return { kind: 'wireguard', host: wireguardTarget(service).host, ...(via ? { via } : {}) };
  }

  locationResolvers(ctx: ResolverContext): ContributedResolver[] {
    return wireguardLocationResolvers({
      hostOf: (c) => this.hostOf(c),
      match: (c) => this.match(c),
      detect: (c) => this.tunnelFor(c),
      tunnels: this.remote.tunnels,
      listeners: this.listeners,
      publisher: this.publisher,
      noteTunnel: (from, rec) => {
        if (from.target.type === 'RemoteLan') {
          this.remote.noteEdgeTunnel(from.name, rec);
          return;
        }
        let m = this.edgeTunnels.get(from.name);
        if (!m) this.edgeTunnels.set(from.name, (m = new Map()));
        m.set(rec.dependency, rec);
      },
    }, ctx);
  }

  wireguard(): WireGuardTopology | undefined {
    return this.detectorValue?.last();
  }

  /** Asked for each topology snapshot (at most about once a second): a detection at most a second
   * old when the project has Wireguard services, so `wireguard()` then answers with current
   * handshakes rather than those of the last start. */
  async topology(project: ProjectConfig): Promise<TopologyContribution | undefined> {
    if (!project.services.some((s) => s.target.type === 'Wireguard')) return undefined;
    const detector = this.detector(project);
    const last = detector.last();
    await detector.detect(!last || Date.now() - last.detectedAt > 1000);
    return undefined;
  }

  recover(project: ProjectConfig, stateDir: string): Promise<RecoveryReport> {
    return recoverWireguard(this, project, stateDir, this.opts.recoveredLog);
  }

  cleanup(req: CleanupRequest): Promise<boolean> {
    return cleanupWireguard(this, req);
  }

  rollback(service: ServiceConfig, ctx: RollbackContext): Promise<RollbackResult> {
    return rollbackWireguard(this, service, ctx);
  }

  /** For recovery: a run the config still asks for, taken over. */
  adoptRun(service: ServiceConfig, session: HostSession, snap: RunSnapshot, release: ChosenRelease, rh: ReleaseHost, stateDir: string, log?: (stream: LogStream, chunk: Buffer) => void): RunningInstance {
    const rec = this.remote.store(stateDir).service(session.host.key, service.name);
    const run = session.adopt(snap, rec, (stream, chunk) => log?.(stream, chunk));
    return this.instanceOf({ session, run, release, rh }, true);
  }

  async flush(stateDir: string): Promise<void> {
    await this.remote.flush(stateDir);
  }

  async dispose(): Promise<void> {
    await this.publisher.closeAll();
    await this.release();
  }
}

function describeExit(e: ExitInfo): string {
  if (e.error) return `ended (${e.error})`;
  if (e.signal) return `was killed by ${e.signal}`;
  return `exited with code ${e.code}`;
}
