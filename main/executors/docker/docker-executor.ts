// DockerExecutor: runs a Docker-target service as one container named harness-<project>-<service>
// on the project's bridge network, converging like Compose: a running container whose config hash
// matches is adopted, anything else is replaced.
import { constants as osConstants } from 'node:os';
import type Docker from 'dockerode';
import type { HealthCheck, ProjectConfig, ServiceConfig } from '../../../shared/config-types.js';
import { envPrefix } from '../../../shared/config-types.js';
import { HarnessError } from '../../../shared/errors.js';
import type { LogStream } from '../../../shared/events.js';
import type { TopologyContribution } from '../../../shared/network-types.js';
import type { HealthResult } from '../../../shared/service-state.js';
import type {
  CleanupRequest,
  ContributedResolver,
  ExecutorContext,
  ExitInfo,
  RecoveryReport,
  ResolverContext,
  RunningInstance,
  ServiceExecutor,
  StopOptions,
} from '../../core/executor.js';
import type { LocationPatch } from '../../network/network-manager.js';
import { planContainer, type ContainerPlan } from './container-spec.js';
import { DockerEngine, errorText, statusCode } from './engine.js';
import { probeContainer, watchNativeHealth } from './health.js';
import { ensureImage, localImageId } from './images.js';
import { LABEL_CONFIG_HASH, LABEL_PROJECT, networkName } from './labels.js';
import { dockerLocationResolvers } from './location-resolvers.js';
import { followLogs, tailLogs } from './logs.js';
import { publishedPorts, type PublishedPort } from './ports.js';
import {
  downProject,
  ensureProjectNetwork,
  inspectProjectNetwork,
  listProjectContainers,
  removeOrphans,
  type DownReport,
  type ProjectNetwork,
} from './project-ops.js';

/** What the executor keeps about a container it started or adopted. */
export interface LiveContainer {
  id: string;
  project: string;
  service: string;
  tty: boolean;
  ip: string;
  published: PublishedPort[];
  /** Ends log following and the exit wait when the executor lets go of the container. */
  release: AbortController;
  /** Settles when the log follower has delivered everything (the container stopped). */
  logsDone: Promise<void>;
}

export interface DockerExecutorOptions {
  /** Defaults to the engine at DOCKER_HOST or the default socket. */
  engine?: DockerEngine;
  /** Where output of containers adopted by `recover` goes (recover gets no ExecutorContext);
   * wire it to the LogStore. Without it their output is only followed once `start` adopts them. */
  recoveredLog?: (service: string, stream: LogStream, chunk: string | Buffer) => void;
}

/** How long a stop waits for the last log lines before removing the container. */
const LOG_DRAIN_MS = 1000;

/** How long to wait for the engine to report the exit after SIGKILL before giving up. */
const KILL_WAIT_MS = 10_000;

function signalFromCode(code: number | null): string | null {
  if (code === null || code <= 128 || code > 128 + 64) return null;
  const n = code - 128;
  const hit = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return hit ? hit[0] : null;
}

export class DockerExecutor implements ServiceExecutor {
  readonly type = 'Docker' as const;
  readonly engine: DockerEngine;
  private readonly networks = new Map<string, Promise<ProjectNetwork>>();
  private readonly live = new Map<string, LiveContainer>();
  /** service name -> container id, for getLogs (which gets no project). */
  private readonly byService = new Map<string, string>();

  private readonly recoveredLog: DockerExecutorOptions['recoveredLog'];

  constructor(opts: DockerExecutorOptions = {}) {
    this.engine = opts.engine ?? new DockerEngine();
    this.recoveredLog = opts.recoveredLog;
  }

  private get docker(): Docker {
    return this.engine.docker;
  }

  /** The project's network (created on first use; memoised so parallel starts create it once). */
  network(project: string): Promise<ProjectNetwork> {
    let p = this.networks.get(project);
    if (!p) {
      p = ensureProjectNetwork(project, this.engine).catch((err: unknown) => {
        this.networks.delete(project);
        throw err;
      });
      this.networks.set(project, p);
    }
    return p;
  }

  /** Runtime facts about a container this executor runs (published ports, IP), by service. */
  liveContainer(service: string): LiveContainer | undefined {
    const id = this.byService.get(service);
    return id ? this.live.get(id) : undefined;
  }

  async start(service: ServiceConfig, ctx: ExecutorContext): Promise<RunningInstance> {
    const cancelled = (): void => {
      if (ctx.signal.aborted) throw new HarnessError('CANCELLED', `service "${service.name}": start cancelled`);
    };
    await this.engine.ensureReachable();
    cancelled();
    const network = await this.network(ctx.project.name);
    const image = await ensureImage(this.docker, ctx.project.name, service, ctx.progress, ctx.signal);
    cancelled();
    const plan = planContainer({
      project: ctx.project.name,
      file: ctx.project.file,
      network: network.name,
      service,
      injectedEnv: ctx.injectedEnv,
      image,
    });
    const existing = await this.inspect(plan.name);
    if (existing?.State.Running && existing.Config.Labels?.[LABEL_CONFIG_HASH] === plan.hash) {
      ctx.log('system', `adopted running container ${plan.name} (${existing.Id.slice(0, 12)}); config unchanged\n`);
      return this.track(service.name, ctx.project.name, existing, ctx, true);
    }
    if (existing) {
      const why = existing.State.Running ? 'config changed' : `container was ${existing.State.Status}`;
      ctx.log('system', `recreating container ${plan.name}: ${why}\n`);
      await this.docker.getContainer(existing.Id).remove({ force: true, v: true });
    }
    const container = await this.create(service.name, ctx.project.name, plan);
    try {
      cancelled();
      await container.start();
      cancelled();
    } catch (err) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      if (err instanceof HarnessError) throw err;
      throw new HarnessError('INTERNAL', `service "${service.name}": starting container ${plan.name} failed: ${errorText(err)}`);
    }
    const info = await container.inspect();
    ctx.log('system', `started container ${plan.name} (${info.Id.slice(0, 12)}) on network ${network.name}\n`);
    return this.track(service.name, ctx.project.name, info, ctx, false);
  }

  private async inspect(nameOrId: string): Promise<Docker.ContainerInspectInfo | null> {
    try {
      return await this.docker.getContainer(nameOrId).inspect();
    } catch (err) {
      if (statusCode(err) === 404) return null;
      throw err;
    }
  }

  private async create(service: string, project: string, plan: ContainerPlan): Promise<Docker.Container> {
    for (const name of plan.namedVolumes) {
      const known = await this.docker.getVolume(name).inspect().then(() => true, () => false);
      if (!known) await this.docker.createVolume({ Name: name, Labels: { [LABEL_PROJECT]: project } });
    }
    try {
      return await this.docker.createContainer(plan.create);
    } catch (err) {
      throw new HarnessError('INTERNAL', `service "${service}": creating container ${plan.name} failed: ${errorText(err)}`);
    }
  }

  /** Starts following logs and the exit of a container, and describes it as a RunningInstance. */
  private track(
    service: string,
    project: string,
    info: Docker.ContainerInspectInfo,
    sink: { log(stream: LogStream, chunk: string | Buffer): void },
    adopted: boolean,
    /** Resolves when the log follow may begin (recovery: once the manager has adopted it). */
    followWhen: Promise<void> = Promise.resolve(),
  ): RunningInstance {
    const netInfo = Object.values(info.NetworkSettings.Networks ?? {})[0];
    const live: LiveContainer = {
      id: info.Id,
      project,
      service,
      tty: Boolean(info.Config.Tty),
      ip: netInfo?.IPAddress ?? '',
      published: publishedPorts(info.NetworkSettings.Ports as Parameters<typeof publishedPorts>[0]),
      release: new AbortController(),
      logsDone: Promise.resolve(),
    };
    this.live.get(info.Id)?.release.abort();
    this.live.set(info.Id, live);
    this.byService.set(service, info.Id);
    const container = this.docker.getContainer(info.Id);
    // History since this run of the container started (for an adopted one: what it printed while
    // no supervisor was watching), then live output.
    const since = adopted ? Math.floor(Date.parse(info.State.StartedAt) / 1000) : 0;
    live.logsDone = followWhen.then(() =>
      followLogs(container, { tty: live.tty, since, signal: live.release.signal }, (s, chunk) => sink.log(s, chunk)),
    );
    const exited = this.waitExit(container, live.release.signal);
    return { id: info.Id, pid: info.State.Pid || undefined, address: live.ip || undefined, exited, adopted };
  }

  private async waitExit(container: Docker.Container, signal: AbortSignal): Promise<ExitInfo> {
    try {
      const res = (await container.wait({ condition: 'not-running', abortSignal: signal } as object)) as { StatusCode: number };
      const code = typeof res.StatusCode === 'number' ? res.StatusCode : null;
      return { code, signal: signalFromCode(code) };
    } catch (err) {
      if (signal.aborted) return { code: null, signal: null, error: 'no longer watched by this supervisor' };
      if (statusCode(err) === 404) return { code: null, signal: null, error: 'container was removed' };
      return { code: null, signal: null, error: `lost contact with the Docker engine: ${errorText(err)}` };
    }
  }

  async stop(service: ServiceConfig, instance: RunningInstance, opts: StopOptions): Promise<ExitInfo> {
    const container = this.docker.getContainer(instance.id);
    const kill = async (signal: string): Promise<void> => {
      try {
        await container.kill({ signal });
      } catch (err) {
        // 404: gone; 409: not running. Either way there is nothing left to signal.
        const code = statusCode(err);
        if (code !== 404 && code !== 409) throw new HarnessError('INTERNAL', `service "${service.name}": ${errorText(err)}`);
      }
    };
    await kill(opts.signal);
    const timeout = Symbol('timeout');
    const delay = (ms: number): Promise<typeof timeout> =>
      new Promise((resolve) => setTimeout(() => resolve(timeout), ms).unref());
    let info = await Promise.race([instance.exited, delay(opts.graceMs)]);
    if (info === timeout) {
      await kill('SIGKILL');
      info = await Promise.race([instance.exited, delay(KILL_WAIT_MS)]);
      if (info === timeout) return { code: null, signal: null, error: `container did not stop within ${KILL_WAIT_MS} ms of SIGKILL` };
    }
    // A stopped container is removed (its output is in Harness's logs, its exit code recorded;
    // named volumes stay): the next start would replace it anyway, and `down` then has only the
    // network left to remove. The log follower first gets to deliver the last lines.
    const live = this.live.get(instance.id);
    if (live) await Promise.race([live.logsDone, delay(LOG_DRAIN_MS)]);
    this.release(instance.id);
    await container.remove({ force: true, v: true }).catch((err: unknown) => {
      const code = statusCode(err);
      if (code !== 404 && code !== 409) throw new HarnessError('INTERNAL', `service "${service.name}": removing container failed: ${errorText(err)}`);
    });
    return info;
  }

  /** Stops watching a container (log follow, exit wait) without touching it. */
  release(id: string): void {
    const live = this.live.get(id);
    if (!live) return;
    live.release.abort();
    this.live.delete(id);
  }

  /** Removes the project's containers (orphans named as such), its network and, when asked, its
   * volumes. Without Docker services in the file, only an engine that answers quickly is asked
   * (a service may have been a container in an earlier version of the file). */
  async cleanup(req: CleanupRequest): Promise<boolean> {
    const usesDocker = req.config?.services.some((s) => s.target.type === 'Docker') ?? false;
    try {
      await this.engine.ping(usesDocker ? 3000 : 500);
    } catch (err) {
      if (usesDocker) req.report(`Docker: ${(err as Error).message}; containers (if any) were not removed`);
      return !usesDocker;
    }
    try {
      if (req.config) for (const line of await removeOrphans(req.config, this.engine)) req.report(line);
      const report = await downProject(req.project, { removeVolumes: req.removeVolumes }, this.engine);
      for (const c of report.containers) req.report(`removed container ${c}`);
      if (report.network) req.report(`removed network ${report.network}`);
      for (const v of report.volumes) req.report(`removed volume ${v}`);
      return true;
    } catch (err) {
      req.report(`Docker: ${(err as Error).message}`);
      return false;
    }
  }

  /** The Docker rules of the address table (docs/docker.md): Docker<->Docker, Docker<->Process. */
  locationResolvers(ctx: ResolverContext): ContributedResolver[] {
    return dockerLocationResolvers(this, { onWarning: ctx.onWarning });
  }

  /** Once running, a container is also reachable at its IP on the project network. */
  locate(_service: ServiceConfig, instance: RunningInstance): LocationPatch | undefined {
    return instance.address ? { ip: instance.address } : undefined;
  }

  /**
   * The project network for the topology view: its subnet and gateway as the engine has them
   * (inspected, never created: it appears when the first Docker service starts). Nothing for a
   * project without Docker services, so those never touch the engine.
   */
  async topology(project: ProjectConfig): Promise<TopologyContribution | undefined> {
    if (!project.services.some((s) => s.target.type === 'Docker')) return undefined;
    const name = networkName(project.name);
    try {
      await this.engine.ping(1000);
      const net = await inspectProjectNetwork(project.name, this.engine);
      if (!net) return { dockerNetworks: [{ name, reason: 'not created yet: Harness creates it when the first Docker service starts' }] };
      return { dockerNetworks: [{ name, ...(net.subnet ? { subnet: net.subnet } : {}), ...(net.gateway ? { gateway: net.gateway } : {}) }] };
    } catch (err) {
      return { dockerNetworks: [{ name, reason: `Docker engine not reachable: ${errorText(err)}` }] };
    }
  }

  /** Lets go of every container (supervisor shutdown without stopping services). */
  dispose(): void {
    for (const id of [...this.live.keys()]) this.release(id);
  }

  async healthCheck(
    service: ServiceConfig,
    instance: RunningInstance,
    check: Exclude<HealthCheck, { type: 'log' }>,
    signal: AbortSignal,
  ): Promise<HealthResult> {
    let live = this.live.get(instance.id);
    if (!live) {
      const info = await this.inspect(instance.id);
      if (!info) return { ok: false, message: `container ${instance.id.slice(0, 12)} no longer exists`, at: Date.now() };
      // Its published ports may belong to another program by now.
      if (!info.State?.Running) return { ok: false, message: `container ${instance.id.slice(0, 12)} is not running`, at: Date.now() };
      live = {
        id: info.Id,
        project: info.Config.Labels?.[LABEL_PROJECT] ?? '',
        service: service.name,
        tty: Boolean(info.Config.Tty),
        ip: Object.values(info.NetworkSettings.Networks ?? {})[0]?.IPAddress ?? '',
        published: publishedPorts(info.NetworkSettings.Ports as Parameters<typeof publishedPorts>[0]),
        release: new AbortController(),
        logsDone: Promise.resolve(),
      };
    }
    return probeContainer(
      { container: this.docker.getContainer(instance.id), published: live.published, ip: live.ip, selfNames: [service.name] },
      check,
      signal,
    );
  }

  /**
   * Additive to ServiceExecutor: when a service declares no health_check and its image has a
   * HEALTHCHECK, the engine's health_status events drive health instead of polling. Resolves
   * false at once when the image has none (the manager then treats the service as having no
   * check); else true when `signal` aborts.
   */
  watchNativeHealth(
    _service: ServiceConfig,
    instance: RunningInstance,
    onResult: (r: HealthResult) => void,
    signal: AbortSignal,
  ): Promise<boolean> {
    return watchNativeHealth(this.docker, instance.id, onResult, signal);
  }

  /** True when the container's image declares a HEALTHCHECK (the manager gates on it then). */
  async hasNativeHealth(instance: RunningInstance): Promise<boolean> {
    const info = await this.inspect(instance.id);
    const test = info?.Config.Healthcheck?.Test;
    return Boolean(test && test.length > 0 && test[0] !== 'NONE');
  }

  async getLogs(service: ServiceConfig, opts: { tail: number }): Promise<Array<{ stream: LogStream; line: string }>> {
    await this.engine.ensureReachable();
    const id = this.byService.get(service.name);
    if (!id) return [];
    const info = await this.inspect(id);
    if (!info) return [];
    return tailLogs(this.docker.getContainer(id), Boolean(info.Config.Tty), opts.tail);
  }

  /**
   * Finds the project's containers by label. Running containers of a service still in the file
   * whose own config is unchanged are adopted (their output goes to `recoveredLog`); stopped or
   * changed ones are removed; containers of services no longer in the file are reported and left
   * for `down` (removeOrphans).
   */
  async recover(project: ProjectConfig, _stateDir: string): Promise<RecoveryReport> {
    const report: RecoveryReport = { adopted: new Map(), cleaned: [] };
    // A project without Docker services never talks to (or waits for) an engine. Recovery creates
    // nothing either: the network is made by the first start, its name is all the hash needs.
    if (!project.services.some((s) => s.target.type === 'Docker')) return report;
    await this.engine.ensureReachable();
    const network = networkName(project.name);
    // The replayed history must reach the manager's health monitors (a log-pattern check matches
    // lines printed before the crash), and those exist only once the manager has adopted what this
    // returns: the follows begin on the turn of the event loop after recovery returned.
    let follow!: () => void;
    const followWhen = new Promise<void>((resolve) => (follow = resolve));
    try {
      for (const c of await listProjectContainers(project.name, this.engine)) {
        const service = project.services.find((s) => s.name === c.service && s.target.type === 'Docker');
        if (!service) {
          report.cleaned.push(`${c.service}: container ${c.name} has no service in the file any more (removed by down)`);
          continue;
        }
        const info = await this.inspect(c.id);
        if (!info) continue;
        const same = info.State.Running && (await this.ownConfigHash(project, service, info, network)) === c.configHash;
        if (same) {
          const log = this.recoveredLog;
          const sink = { log: (stream: LogStream, chunk: string | Buffer) => log?.(service.name, stream, chunk) };
          report.adopted.set(service.name, this.track(service.name, project.name, info, sink, true, followWhen));
        } else {
          await this.docker.getContainer(c.id).remove({ force: true, v: true }).catch(() => undefined);
          report.cleaned.push(`${service.name}: removed ${info.State.Running ? 'outdated' : info.State.Status} container ${c.name}`);
        }
      }
    } finally {
      setImmediate(follow);
    }
    return report;
  }

  /** The config hash the service would get now, taking the injected variables the container was
   * created with (recover runs before the NetworkManager resolves anything). */
  private async ownConfigHash(
    project: ProjectConfig,
    service: ServiceConfig,
    info: Docker.ContainerInspectInfo,
    network: string,
  ): Promise<string | null> {
    if (service.target.type !== 'Docker') return null;
    const id = await localImageId(this.docker, service.target.image);
    if (!id) return null;
    const injectedKeys = new Set(service.dependencies.flatMap((d) => [`${envPrefix(d)}_ADDR`, `${envPrefix(d)}_PORT`]));
    const injectedEnv: Record<string, string> = {};
    for (const kv of info.Config.Env ?? []) {
      const eq = kv.indexOf('=');
      const key = kv.slice(0, eq);
      if (injectedKeys.has(key)) injectedEnv[key] = kv.slice(eq + 1);
    }
    return planContainer({ project: project.name, file: project.file, network, service, injectedEnv, image: { name: service.target.image, id } })
      .hash;
  }

  /** `down`: removes the project's containers and network (named volumes only when asked). */
  async down(project: string, opts: { removeVolumes?: boolean } = {}): Promise<DownReport> {
    this.dispose();
    this.networks.delete(project);
    return downProject(project, opts, this.engine);
  }

  removeOrphans(project: ProjectConfig): Promise<string[]> {
    return removeOrphans(project, this.engine);
  }
}
