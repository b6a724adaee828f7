// ServiceExecutor for `type: RemoteLan`: a program on a LAN host over SSH (docs/remote.md).
// Each service runs under the launch wrapper in its own session on the host (it survives a dropped
// connection), in a run directory that holds its env file, pids, logs and exit status; one watch
// channel per host reports every run; logs are read by offset over SFTP; tunnels bridge the edges
// that have no direct route. A later supervisor re-attaches to what still runs with the same
// config (recovery.ts).
import type { HealthCheck, ProjectConfig, RemoteLanTarget, ServiceConfig } from '../../../shared/config-types.js';
import { HarnessError } from '../../../shared/errors.js';
import type { HostKeyEvent, LogStream } from '../../../shared/events.js';
import type { RemoteHostInfo } from '../../../shared/network-types.js';
import type { HealthResult } from '../../../shared/service-state.js';
import type {
  CleanupRequest, ContributedResolver, ExecutorContext, ExitInfo, RecoveryReport, ResolverContext, RunningInstance, ServiceExecutor, StopOptions,
} from '../../core/executor.js';
import { probeHttp, probeTcp } from '../../health/probes.js';
import { loopbackOnly } from '../../os/tcp-listeners.js';
import { normaliseSignal } from '../../os/process-group.js';
import type { SshHost, SshPool } from '../../ssh/index.js';
import { remoteMarkerEnv } from '../../state/markers.js';
import { HostKeyPrompts } from './host-key-prompts.js';
import { HostSession } from './host-session.js';
import { remoteLocationResolvers } from './location-resolvers.js';
import { cleanupRemote, recoverRemote } from './recovery.js';
import { RemoteListeners } from './remote-listeners.js';
import { CHECK_SH } from './remote-scripts.js';
import type { RemoteRun } from './remote-run.js';
import { RemoteStateStore, type TunnelRecord } from './remote-state-store.js';
import { configHashOf } from './run-files.js';
import type { SharedSshPool } from './shared-ssh-pool.js';
import { TunnelManager } from './tunnel-manager.js';

export interface RemoteLanExecutorOptions {
  ssh: SharedSshPool;
  /** Output of instances adopted during recovery (the project's LogStore). */
  recoveredLog?: (service: string, stream: LogStream, chunk: string | Buffer) => void;
  /** How often each host's watch looks at the run directories. Default 200 ms. */
  watchIntervalMs?: number;
}


export function remoteTarget(service: ServiceConfig): RemoteLanTarget {
  if (service.target.type !== 'RemoteLan') {
    throw new HarnessError('BAD_REQUEST', `${service.name}: the RemoteLan executor cannot run a ${service.target.type} target`);
  }
  return service.target;
}

interface Tracked {
  session: HostSession;
  run: RemoteRun;
}

export class RemoteLanExecutor implements ServiceExecutor {
  readonly type = 'RemoteLan' as const;
  readonly tunnels = new TunnelManager();
  private readonly listeners = new RemoteListeners();
  private readonly prompts = new HostKeyPrompts();
  private readonly sessions = new Map<string, HostSession>();
  private readonly stores = new Map<string, RemoteStateStore>();
  private readonly tracked = new WeakMap<RunningInstance, Tracked>();
  /** Tunnels each dependent's environment points into, by service: recorded with its run. */
  private readonly edgeTunnels = new Map<string, Map<string, TunnelRecord>>();
  private readonly release: () => Promise<void>;
  /** known_hosts lines accept-new added, each said once. */
  private readonly announcedKeys = new Set<string>();

  constructor(private readonly opts: RemoteLanExecutorOptions) {
    this.release = opts.ssh.use();
  }

  /** The project runtime's shared pool. */
  get sshPool(): SshPool {
    return this.opts.ssh.pool;
  }

  private get pool(): SshPool {
    return this.opts.ssh.pool;
  }

  hostFor(service: ServiceConfig): SshHost {
    const t = remoteTarget(service);
    return this.pool.host({ host: t.host, port: t.ssh_port, user: t.user, ...(t.identity_file ? { identityFile: t.identity_file } : {}) });
  }

  store(stateDir: string): RemoteStateStore {
    let s = this.stores.get(stateDir);
    if (!s) {
      s = new RemoteStateStore(stateDir);
      this.stores.set(stateDir, s);
    }
    return s;
  }

  /** The session of (host, project), made on first use. */
  session(host: SshHost, stateDir: string, identityFile?: string): HostSession {
    const key = `${host.key}|${stateDir}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = new HostSession({ host, stateDir, store: this.store(stateDir), watchIntervalMs: this.opts.watchIntervalMs, identityFile });
      this.sessions.set(key, s);
    }
    return s;
  }

  instanceOf(session: HostSession, run: RemoteRun, adopted = false): RunningInstance {
    const instance: RunningInstance = {
      id: run.id.pid !== undefined ? String(run.id.pid) : run.runId,
      exited: run.exited,
      conditions: (listener) => run.conditions(listener),
      ...(adopted ? { adopted: true } : {}),
    };
    this.tracked.set(instance, { session, run });
    return instance;
  }

  async start(service: ServiceConfig, ctx: ExecutorContext): Promise<RunningInstance> {
    const t = remoteTarget(service);
    normaliseSignal(service.stop_signal, service.name);
    const host = this.hostFor(service);
    try {
      const info = await host.connect({ signal: ctx.signal });
      if (info.addedKnownHost && !this.announcedKeys.has(info.addedKnownHost)) {
        this.announcedKeys.add(info.addedKnownHost);
        ctx.log('system', `Permanently added ${info.addedKnownHost.split(' ').slice(0, 2).join(' ')} to ${this.pool.knownHostsTarget().file} (accept-new)\n`);
      }
    } catch (err) {
      this.reportHostKey(err, service.name, t.user);
      throw err;
    }
    const session = this.session(host, ctx.stateDir, t.identity_file);
    // The markers come last: a service cannot unset what recovery and `down` find it by.
    const env = { ...ctx.injectedEnv, ...t.env, ...remoteMarkerEnv(ctx.project.name, ctx.stateDir, service.name, host.key) };
    const spec = {
      service: service.name,
      binary: t.binary,
      args: t.args,
      env,
      workingDir: t.working_dir ?? '.',
      configHash: configHashOf(service),
      log: (stream: LogStream, chunk: Buffer) => ctx.log(stream, chunk),
      file: ctx.project.file,
      signal: ctx.signal,
    };
    await this.checkPorts(service, session, ctx);
    let run: RemoteRun;
    try {
      run = await session.launch(spec);
    } catch (err) {
      if (!(err instanceof HarnessError && err.code === 'CONFLICT')) throw err;
      // A run left by a supervisor that is gone (and not adopted): stopped first, as locally.
      ctx.log('system', `${err.message}; stopping it first\n`);
      const exit = await session.stopRun(service.name, service.stop_signal, service.stop_grace_period_ms);
      ctx.log('system', `stopped the earlier run (${exit.signal ?? `exit code ${exit.code}`})\n`);
      run = await session.launch(spec);
    }
    const tunnels = [...(this.edgeTunnels.get(service.name)?.values() ?? [])];
    if (tunnels.length > 0) session.recordTunnels(service.name, tunnels);
    ctx.log('system', `started pid ${run.id.pid ?? '?'} on ${host.key}: ${[t.binary, ...t.args].map(readable).join(' ')}\n`);
    return this.instanceOf(session, run);
  }

  /**
   * A declared port that something already listens on, on the host, is refused (as for a local
   * process): a tcp check would reach that program and call this service healthy. A run of this
   * very service left there by a supervisor that is gone is stopped first.
   */
  private async checkPorts(service: ServiceConfig, session: HostSession, ctx: ExecutorContext): Promise<void> {
    const t = remoteTarget(service);
    if (t.ports.length === 0) return;
    const taken = async () => {
      const listening = await this.listeners.read(session.host, ctx.signal, { fresh: true });
      return t.ports.filter((p) => listening.some((l) => l.port === p));
    };
    let busy = await taken();
    if (busy.length === 0) return;
    await session.prepare(ctx.signal);
    if ((await session.list(ctx.signal)).get(service.name)?.state.kind === 'run' && !session.run(service.name)?.running) {
      ctx.log('system', `an earlier run of ${service.name} still runs on ${session.key}; stopping it first\n`);
      await session.stopRun(service.name, service.stop_signal, service.stop_grace_period_ms);
      busy = await taken();
    }
    if (busy.length > 0) {
      throw new HarnessError(
        'CONFLICT',
        `${service.name}: cannot start on ${session.key}: port ${busy.join(', ')} ${busy.length > 1 ? 'are' : 'is'} already in use there; ` +
          `stop that program or change the service's ports in ${ctx.project.file}`,
        { service: service.name, host: session.key, ports: busy },
      );
    }
  }

  async stop(service: ServiceConfig, instance: RunningInstance, opts: StopOptions): Promise<ExitInfo> {
    const tracked = this.tracked.get(instance);
    if (!tracked) return instance.exited;
    const sig = normaliseSignal(opts.signal, service.name);
    return tracked.session.stopRun(service.name, sig, Math.max(0, opts.graceMs));
  }

  forceKill(service: ServiceConfig, instance: RunningInstance): void {
    const tracked = this.tracked.get(instance);
    if (tracked?.run.running) void tracked.session.killRun(service.name).catch(() => undefined);
  }

  async healthCheck(
    service: ServiceConfig,
    instance: RunningInstance,
    check: Exclude<HealthCheck, { type: 'log' }>,
    signal: AbortSignal,
  ): Promise<HealthResult> {
    const tracked = this.tracked.get(instance);
    const running = () => tracked?.run.running === true && tracked.run.reachable;
    if (!tracked || !running()) {
      return { ok: false, message: tracked?.run.running ? 'its host does not answer' : `the remote process of ${service.name} is not running`, at: Date.now() };
    }
    const whileRunning = async (probe: () => Promise<HealthResult>): Promise<HealthResult> => {
      const r = await probe();
      return r.ok && !running() ? { ok: false, message: 'the remote process exited during the check', at: r.at } : r;
    };
    switch (check.type) {
      case 'tcp': {
        // On a RemoteLan service, 127.0.0.1 means its own host, as the service sees it.
        const local = !check.host || ['127.0.0.1', 'localhost', '::1'].includes(check.host);
        const view = local ? await this.viewFromHere(service, check.port, signal) : { address: check.host!, port: check.port };
        return whileRunning(() => probeTcp(view.address, view.port, check.timeout_ms, signal));
      }
      case 'http': {
        const url = await this.httpUrlFromHere(service, check.url, signal);
        return whileRunning(() => probeHttp(url, check.expect_status, check.timeout_ms, signal));
      }
      case 'command':
        return this.commandCheck(service, tracked, check, signal);
    }
  }

  /**
   * Where this machine reaches port `port` of the service: its host's address, or a local forward
   * when the service listens only on 127.0.0.1 there (or `tunnel: always`).
   */
  async viewFromHere(service: ServiceConfig, port: number, signal?: AbortSignal): Promise<{ address: string; port: number }> {
    const t = remoteTarget(service);
    const host = this.hostFor(service);
    const target = { host: '127.0.0.1', port };
    const open = this.tunnels.openLocal(host.key, target);
    if (open) return { address: '127.0.0.1', port: open.localPort };
    const mode = t.tunnel ?? 'auto';
    if (mode === 'always' || (mode === 'auto' && loopbackOnly(await this.listeners.read(host, signal).catch(() => []), port))) {
      const fwd = await this.tunnels.localForward(host, target);
      return { address: '127.0.0.1', port: fwd.localPort };
    }
    return { address: t.host, port };
  }

  /** An http check given as port/path (or on 127.0.0.1/localhost) probes the service's host. */
  private async httpUrlFromHere(service: ServiceConfig, url: string, signal: AbortSignal): Promise<string> {
    const u = new URL(url);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return url;
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const view = await this.viewFromHere(service, port, signal);
    u.hostname = view.address.includes(':') ? `[${view.address}]` : view.address;
    u.port = String(view.port);
    return u.toString();
  }

  private async commandCheck(service: ServiceConfig, tracked: Tracked, check: Extract<HealthCheck, { type: 'command' }>, signal: AbortSignal): Promise<HealthResult> {
    const t = remoteTarget(service);
    try {
      const r = await tracked.session.host.exec(['sh', '-c', CHECK_SH, 'harness-check', tracked.run.dir, t.working_dir ?? '.', ...check.command], {
        signal, timeoutMs: check.timeout_ms, maxOutputBytes: 64 * 1024,
      });
      const last = (r.stdout.trim() || r.stderr.trim()).split('\n').pop()?.slice(0, 200) ?? '';
      const ok = r.code === 0;
      return { ok, message: ok ? last || 'exit code 0' : `exit ${r.code ?? r.signal}${last ? `: ${last}` : ''}`, at: Date.now() };
    } catch (err) {
      return { ok: false, message: (err as Error).message, at: Date.now() };
    }
  }

  /** The tail of the run's log files on its host. */
  async getLogs(service: ServiceConfig, opts: { tail: number }): Promise<Array<{ stream: LogStream; line: string }>> {
    const host = this.hostFor(service);
    const session = [...this.sessions.values()].find((s) => s.host === host && s.run(service.name));
    if (!session) return [];
    const out: Array<{ stream: LogStream; line: string }> = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = await host.files.readFile(`${session.runDir(service.name)}/${stream}.log`).then((b) => b.toString('utf8'), () => '');
      for (const line of text.split('\n').slice(0, -1).slice(-opts.tail)) out.push({ stream, line });
    }
    return out;
  }

  locationResolvers(ctx: ResolverContext): ContributedResolver[] {
    return remoteLocationResolvers({
      hostFor: (c) => this.hostFor(c),
      tunnels: this.tunnels,
      listeners: this.listeners,
      noteTunnel: (from, rec) => this.noteEdgeTunnel(from, rec),
    }, ctx);
  }

  /** A tunnel the environment of RemoteLan service `from` points into (also from resolvers of
   * other executors, e.g. a LAN host reaching a WireGuard peer): recorded with its run, so a later
   * supervisor re-opens it at the same port. */
  noteEdgeTunnel(from: string, rec: TunnelRecord): void {
    let m = this.edgeTunnels.get(from);
    if (!m) this.edgeTunnels.set(from, (m = new Map()));
    m.set(rec.dependency, rec);
  }

  /** A start (of any executor sharing this pool) that met an unknown host key: a `hostKey` event
   * for the app, answered by trustHostKey. True when `err` was such a refusal. */
  reportHostKey(err: unknown, service: string, user: string): boolean {
    return this.prompts.report(err, service, user);
  }

  hosts(): RemoteHostInfo[] {
    const byKey = new Map<string, RemoteHostInfo>();
    for (const s of this.sessions.values()) {
      const info = s.host.info;
      const e = s.endpoint();
      const had = byKey.get(s.key);
      const services = [...new Set([...(had?.services ?? []), ...s.runs().map((r) => r.service)])];
      byKey.set(s.key, {
        key: e.key, host: e.host, port: e.port, user: e.user, connection: e.connection, ...(e.reason ? { reason: e.reason } : {}),
        addresses: [...new Set([info?.remoteAddress, info?.hostAddress?.address].filter((a): a is string => !!a))],
        ...(info?.seenAs ? { seesThisMachineAs: info.seenAs.address } : {}),
        ...(info?.routeSourceAddress ? { routeSource: info.routeSourceAddress } : {}),
        services,
      });
    }
    return [...byKey.values()];
  }

  onHostKey(listener: (event: HostKeyEvent) => void): () => void {
    return this.prompts.on(listener);
  }

  trustHostKey(req: { host: string; port: number; fingerprint: string }): Promise<{ file: string; line: string }> {
    return this.prompts.trust(req, this.pool);
  }

  async flush(stateDir: string): Promise<void> {
    await this.stores.get(stateDir)?.flush();
  }

  recover(project: ProjectConfig, stateDir: string): Promise<RecoveryReport> {
    return recoverRemote(this, project, stateDir, this.opts.recoveredLog);
  }

  cleanup(req: CleanupRequest): Promise<boolean> {
    return cleanupRemote(this, req);
  }

  async dispose(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.dispose()));
    await Promise.all([...this.stores.values()].map((s) => s.flush()));
    await this.tunnels.closeAll();
    await this.release();
  }
}

/** For the 'started' line: readable, with arguments that need it quoted. */
function readable(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a);
}
