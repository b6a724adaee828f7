// Everything one project does on one host: its directory there (scripts installed once), the
// launch of each service under the wrapper, the one watch channel that reports every run, the
// log follows, signals and stops, and how the host's connection state reaches each run. The
// RemoteLan executor keeps one per (host, project); the Wireguard executor can use it as is for
// the processes it starts on a peer.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError } from '../../../shared/errors.js';
import type { LogStream } from '../../../shared/events.js';
import type { RemoteEndpoint } from '../../../shared/service-state.js';
import type { ExitInfo } from '../../core/executor.js';
import { quoteArg, shellQuote, type HostState, type SshHost } from '../../ssh/index.js';
import { projectIdOf } from '../../state/markers.js';
import { LogFollower, type Offsets } from './log-follower.js';
import { RemoteRun, type RunIdentity } from './remote-run.js';
import { KILL_SH, LAUNCH_SH, SIGNAL_SH, WATCH_SCRIPT, WRAPPER_SCRIPT } from './remote-scripts.js';
import type { RemoteStateStore, ServiceRecord, TunnelRecord } from './remote-state-store.js';
import { envFileText, exitInfoOf, projectRoot, runDirOf, SCRIPTS_DIR, type RunSnapshot } from './run-files.js';
import { listRuns, runWatch } from './watch-stream.js';

export interface HostSessionOptions {
  host: SshHost;
  /** The local project state directory: its name is the project id on the host too. */
  stateDir: string;
  store: RemoteStateStore;
  /** How often the host's watch loop looks at the run directories. Default 200 ms. */
  watchIntervalMs?: number;
  /** The identity file the host was configured with, recorded for `harness down`. */
  identityFile?: string;
}

export interface LaunchSpec {
  service: string;
  binary: string;
  args: readonly string[];
  /** The complete environment the program gets on top of the login environment. */
  env: Record<string, string>;
  /** On the host; relative to the login user's home. */
  workingDir: string;
  configHash: string;
  /** Where the run's output goes. */
  log(stream: LogStream, chunk: Buffer): void;
  /** services.yaml, for messages. */
  file: string;
  signal?: AbortSignal;
}

const LOST_STATES: ReadonlySet<HostState> = new Set(['lost', 'reconnecting', 'closed']);

export class HostSession {
  readonly host: SshHost;
  readonly projectId: string;
  private rootPath: string | null = null;
  private preparing: Promise<void> | null = null;
  private readonly live = new Map<string, RemoteRun>();
  private watching: Promise<void> | null = null;
  private watchAbort: AbortController | null = null;
  /** A snapshot has been seen since the connection was (re)made: runs are confirmed. */
  private confirmed = true;
  private disposed = false;
  private readonly offState: () => void;
  private readonly intervalMs: number;
  private readonly launchQueue: Array<{ dir: string; resolve(words: string[]): void; reject(err: Error): void }> = [];
  private launching = false;
  /** The watch's last round (it prints only changes). */
  private lastSnapshot = new Map<string, RunSnapshot>();
  /** Why the connection is down, from the host's last state event. */
  private reason: string | null = null;

  constructor(private readonly opts: HostSessionOptions) {
    this.host = opts.host;
    this.projectId = projectIdOf(opts.stateDir);
    this.intervalMs = opts.watchIntervalMs ?? 200;
    this.offState = this.host.onState((e) => {
      if (e.state === 'connected') this.reason = null;
      else if (e.reason) this.reason = e.reason;
      if (LOST_STATES.has(e.state) || (e.state === 'connecting' && !this.confirmed)) this.confirmed = false;
      if (LOST_STATES.has(e.state)) for (const r of this.live.values()) r.follower.suspend();
      this.publish();
    });
  }

  get key(): string { return this.host.key; }

  /** The project's directory on the host (after prepare). */
  get root(): string {
    if (!this.rootPath) throw new HarnessError('INTERNAL', `the project directory on ${this.key} is not known yet`);
    return this.rootPath;
  }

  runDir(service: string): string {
    return runDirOf(this.root, service);
  }

  runs(): RemoteRun[] {
    return [...this.live.values()];
  }

  run(service: string): RemoteRun | undefined {
    return this.live.get(service);
  }

  endpoint(): RemoteEndpoint {
    const t = this.host.target;
    const state = this.host.state;
    const reason = LOST_STATES.has(state) || (state === 'connecting' && !this.confirmed) ? this.reason ?? undefined : undefined;
    return { key: this.key, host: t.host, port: t.port, user: t.user, connection: state, ...(reason ? { reason } : {}) };
  }

  /** Connects, finds the home directory, makes the project directory (0700) and installs the
   * scripts. Once per session; a failure is retried by the next call. */
  prepare(signal?: AbortSignal): Promise<void> {
    this.preparing ??= (async () => {
      const files = this.host.files;
      const home = await files.realpath('.', { signal });
      const root = projectRoot(home, this.projectId);
      await files.mkdirp(posix.join(root, SCRIPTS_DIR), { mode: 0o700, signal });
      for (const s of [WRAPPER_SCRIPT, WATCH_SCRIPT]) {
        const path = posix.join(root, SCRIPTS_DIR, s.name);
        if (!(await files.stat(path, { signal }))) await files.writeFile(path, s.text, { mode: 0o600, signal });
      }
      this.rootPath = root;
      const t = this.host.target;
      this.opts.store.ensureHost(this.key, { host: t.host, port: t.port, user: t.user, root, ...(this.opts.identityFile ? { identityFile: this.opts.identityFile } : {}) });
    })();
    this.preparing.catch(() => { this.preparing = null; });
    return this.preparing;
  }

  /** Writes the env and launch files, starts the program under the wrapper and returns once it
   * was exec'd. Starts that arrive while one is under way go together in the next round: a burst
   * of 50 starts on a host costs a couple of channels, not 50. */
  async launch(spec: LaunchSpec): Promise<RemoteRun> {
    await this.prepare(spec.signal);
    const files = this.host.files;
    const dir = this.runDir(spec.service);
    const envText = envFileText(spec.env, { service: spec.service, file: spec.file });
    const runId = randomBytes(6).toString('hex');
    const launchText = [
      `hx_wd=${quoteArg(spec.workingDir)}`,
      `hx_runid=${runId}`,
      `hx_hash=${quoteArg(spec.configHash)}`,
      `set -- ${shellQuote([spec.binary, ...spec.args])}`,
      '',
    ].join('\n');
    await files.mkdir(dir, { mode: 0o700, signal: spec.signal });
    await Promise.all([
      files.writeFile(posix.join(dir, 'env'), envText, { mode: 0o600, signal: spec.signal }),
      files.writeFile(posix.join(dir, 'launch'), launchText, { mode: 0o600, signal: spec.signal }),
    ]);
    this.opts.store.setService(this.key, spec.service, { runId, configHash: spec.configHash, offsets: { stdout: 0, stderr: 0 } });
    let words: string[];
    try {
      words = await this.launchInRound(dir, spec.signal);
    } catch (err) {
      this.opts.store.removeService(this.key, spec.service, runId);
      throw err;
    }
    const where = `${spec.service} on ${this.key}`;
    if (words[0] === 'S' || words[0] === 'X') {
      const id: RunIdentity = { service: spec.service, runId, configHash: spec.configHash };
      if (words[0] === 'S') {
        Object.assign(id, { pid: Number(words[1]), startTime: Number(words[2]), wrapperPid: Number(words[3]), bootId: words[5] });
        this.opts.store.updateService(this.key, spec.service, { pid: id.pid, startTime: id.startTime, wrapperPid: id.wrapperPid, bootId: id.bootId });
      }
      return this.track(id, dir, { stdout: 0, stderr: 0 }, spec.log);
    }
    this.opts.store.removeService(this.key, spec.service, runId);
    throw launchError(words, where, spec);
  }

  /** Group commit of launches: one exec for every start queued while the previous one ran. */
  private launchInRound(dir: string, signal?: AbortSignal): Promise<string[]> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) { reject(new HarnessError('CANCELLED', 'the start was cancelled')); return; }
      this.launchQueue.push({ dir, resolve, reject });
      void this.flushLaunches();
    });
  }

  private async flushLaunches(): Promise<void> {
    if (this.launching || this.launchQueue.length === 0) return;
    this.launching = true;
    const round = this.launchQueue.splice(0, 64);
    try {
      const wrapper = posix.join(this.root, SCRIPTS_DIR, WRAPPER_SCRIPT.name);
      const r = await this.host.exec(['sh', '-c', LAUNCH_SH, 'harness-launch', wrapper, ...round.map((l) => l.dir)], { timeoutMs: 60_000 });
      const byIndex = new Map<number, string[]>();
      for (const line of r.stdout.split('\n')) {
        const [n, ...rest] = line.trim().split(' ');
        if (/^\d+$/.test(n) && rest.length > 0) byIndex.set(Number(n), rest);
      }
      round.forEach((l, i) => {
        const words = byIndex.get(i + 1);
        if (words) l.resolve(words);
        else l.reject(new HarnessError('INTERNAL', `the launch on ${this.key} printed nothing for ${l.dir} (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout).slice(0, 300)}`));
      });
    } catch (err) {
      for (const l of round) l.reject(err as Error);
    } finally {
      this.launching = false;
      void this.flushLaunches();
    }
  }

  /** Follows a run an earlier supervisor started (found by `list`), from the recorded offsets. */
  adopt(snap: RunSnapshot, rec: ServiceRecord | undefined, log: (stream: LogStream, chunk: Buffer) => void): RemoteRun {
    const same = rec && rec.runId === snap.runId;
    const id: RunIdentity = {
      service: snap.service,
      runId: snap.runId ?? 'unknown',
      configHash: snap.configHash ?? '',
      ...(same ? { pid: rec.pid, startTime: rec.startTime, wrapperPid: rec.wrapperPid, bootId: rec.bootId } : {}),
    };
    const offsets = same ? rec.offsets : { stdout: 0, stderr: 0 };
    if (!same) this.opts.store.setService(this.key, snap.service, { runId: id.runId, configHash: id.configHash, offsets });
    const run = this.track(id, this.runDir(snap.service), offsets, log);
    run.follower.update({ stdout: snap.stdout, stderr: snap.stderr });
    return run;
  }

  /** Remote forwards whose ports the service's environment holds (re-opened on adoption). */
  recordTunnels(service: string, tunnels: TunnelRecord[]): void {
    this.opts.store.updateService(this.key, service, { tunnels });
  }

  /** Every run directory of the project on the host, as one watch round sees it. */
  async list(signal?: AbortSignal): Promise<Map<string, RunSnapshot>> {
    await this.prepare(signal);
    return listRuns(this.host, posix.join(this.root, SCRIPTS_DIR, WATCH_SCRIPT.name), this.root, signal);
  }

  /** `sig` (TERM, INT…) to the service's process group, if its recorded processes still run. */
  async signalRun(service: string, sig: string): Promise<'sent' | 'gone'> {
    const r = await this.host.exec(['sh', '-c', SIGNAL_SH, 'harness-signal', this.runDir(service), sig.replace(/^SIG/, '')], { timeoutMs: 30_000 });
    return r.stdout.trim() === 'sent' ? 'sent' : 'gone';
  }

  /** SIGKILL to the program and whatever else is in its group (the wrapper records the status). */
  async killRun(service: string): Promise<string> {
    const r = await this.host.exec(['sh', '-c', KILL_SH, 'harness-kill', this.runDir(service)], { timeoutMs: 30_000 });
    return r.stdout.trim();
  }

  /**
   * Stops a run as a local process is stopped: `sig` to the group, up to `graceMs`, then SIGKILL;
   * resolves with how it ended (the exit status the wrapper recorded). For a run this session does
   * not follow (leftovers), pass no run: the watch is asked directly.
   */
  async stopRun(service: string, sig: string, graceMs: number): Promise<ExitInfo> {
    const run = this.live.get(service);
    if (run && !run.running) return run.exited;
    if (run) run.lastSignal = sig.startsWith('SIG') ? sig : `SIG${sig}`;
    const sent = await this.signalRun(service, sig);
    if (!run) return this.awaitEnd(service, graceMs, sent);
    if (await settlesWithin(run.exited, sent === 'sent' ? graceMs : 2000)) return run.exited;
    run.lastSignal = 'SIGKILL';
    await this.killRun(service);
    if (await settlesWithin(run.exited, 5000)) return run.exited;
    return { code: null, signal: null, error: `${service} on ${this.key} did not end after SIGKILL (or its host stopped answering)` };
  }

  /** Removes the service's run directory (after it stopped: `harness down`). */
  async removeRunDir(service: string): Promise<void> {
    await this.host.exec(['rm', '-rf', '--', this.runDir(service)], { timeoutMs: 30_000 });
  }

  /** Removes the project's directory on the host when nothing runs there any more. */
  async removeRoot(): Promise<void> {
    await this.host.exec(['rm', '-rf', '--', this.root], { timeoutMs: 30_000 });
    this.opts.store.removeHost(this.key);
  }

  /** Lets go of the watch and the log follows; the runs keep running on the host. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.offState();
    this.watchAbort?.abort();
    await Promise.all([...this.live.values()].map((r) => r.follower.close()));
    await this.watching?.catch(() => undefined);
  }

  // --- following -----------------------------------------------------------------------------

  private track(id: RunIdentity, dir: string, offsets: Offsets, log: (stream: LogStream, chunk: Buffer) => void): RemoteRun {
    const store = this.opts.store;
    const follower = new LogFollower({
      files: this.host.files,
      dir,
      offsets,
      deliver: (stream, chunk) => log(stream, chunk),
      advanced: (o) => store.updateService(this.key, id.service, { offsets: o }),
    });
    const run = new RemoteRun(id, dir, follower, this.endpoint(), this.host.state === 'connected', (ended) => {
      if (this.live.get(ended.service) === ended) this.live.delete(ended.service);
      store.removeService(this.key, ended.service, ended.runId);
      if (this.live.size === 0) this.watchAbort?.abort();
    });
    this.live.set(id.service, run);
    // The watch only reports changes: a round that saw this run before it was tracked (its output,
    // even its exit) would otherwise never be looked at again.
    const seen = this.lastSnapshot.get(id.service);
    if (seen && seen.runId === id.runId) this.apply(run, seen);
    this.ensureWatch();
    return run;
  }

  private ensureWatch(): void {
    if (this.watching || this.disposed) return;
    this.watching = this.watchLoop().finally(() => { this.watching = null; });
  }

  private async watchLoop(): Promise<void> {
    const script = posix.join(this.root, SCRIPTS_DIR, WATCH_SCRIPT.name);
    for (let round = 0; !this.disposed && this.live.size > 0; round++) {
      const ac = new AbortController();
      this.watchAbort = ac;
      try {
        await runWatch(this.host, script, this.root, { intervalMs: this.intervalMs, signal: ac.signal }, { snapshot: (m) => this.onSnapshot(m) });
      } catch {
        // The connection dropped (the runs are marked by the state listener) or the watch could
        // not be started: tried again, waiting for the connection like any operation.
      }
      if (this.disposed || this.live.size === 0) break;
      await sleep(Math.min(2000, 100 * 2 ** Math.min(round, 4)));
    }
  }

  private onSnapshot(runs: Map<string, RunSnapshot>): void {
    this.confirmed = true;
    this.lastSnapshot = runs;
    for (const run of [...this.live.values()]) {
      const snap = runs.get(run.service);
      if (!snap || (snap.runId !== null && snap.runId !== run.runId)) {
        // Launched after this round looked (its run directory is not in it yet), or replaced.
        if (run.seen) void run.finish({ code: null, signal: null, error: `the run directory of ${run.service} on ${this.key} was removed or replaced` }, {});
        continue;
      }
      this.apply(run, snap);
    }
  }

  /** What one watch round says about one run. */
  private apply(run: RemoteRun, snap: RunSnapshot): void {
    run.seen = true;
    const sizes = { stdout: snap.stdout, stderr: snap.stderr };
    switch (snap.state.kind) {
      case 'exit':
        void run.finish(exitInfoOf(snap.state.code), sizes);
        break;
      case 'gone':
        void run.finish(run.lastSignal
          ? { code: null, signal: run.lastSignal }
          : { code: null, signal: null, error: `ended without recording its exit status (its launch wrapper on ${this.key} was killed, or the host rebooted)` }, sizes);
        break;
      default:
        run.follower.update(sizes);
        run.setCondition(this.host.state === 'connected', this.endpoint());
    }
  }

  /** Tells every run how the connection is; a run counts as reachable again only once a watch
   * round after the reconnect has seen it (its pid and start time checked on the host). */
  private publish(): void {
    const endpoint = this.endpoint();
    const reachable = this.host.state === 'connected' && this.confirmed;
    for (const run of this.live.values()) run.setCondition(reachable, endpoint);
  }

  /** For a service no run of this session follows: waits for the watch to see it end. */
  private async awaitEnd(service: string, graceMs: number, sent: 'sent' | 'gone'): Promise<ExitInfo> {
    const ended = async (): Promise<RunSnapshot | undefined> => {
      const snap = (await this.list()).get(service);
      return snap && snap.state.kind !== 'run' ? snap : undefined;
    };
    const deadline = Date.now() + (sent === 'sent' ? graceMs : 0);
    for (let i = 0; i < 10_000; i++) {
      const snap = await ended();
      if (snap) return snap.state.kind === 'exit' ? exitInfoOf(snap.state.code) : { code: null, signal: null };
      if (Date.now() >= deadline) break;
      await sleep(200);
    }
    await this.killRun(service);
    for (let i = 0; i < 25; i++) {
      const snap = await ended();
      if (snap) return snap.state.kind === 'exit' ? exitInfoOf(snap.state.code) : { code: null, signal: 'SIGKILL' };
      await sleep(200);
    }
    return { code: null, signal: null, error: `${service} on ${this.key} did not end after SIGKILL` };
  }
}

function settlesWithin<T>(p: Promise<T>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => { timer = setTimeout(() => r(false), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function launchError(words: string[], where: string, spec: LaunchSpec): HarnessError {
  const details = { service: spec.service, kind: `launch-${words[1] ?? 'failed'}` };
  switch (words[1]) {
    case 'workdir':
      return new HarnessError('NOT_FOUND', `${where}: working_dir ${JSON.stringify(spec.workingDir)} does not exist there or cannot be entered; create it on the host or change working_dir in ${spec.file}`, details);
    case 'binary':
      return new HarnessError('NOT_FOUND', `${where}: binary ${JSON.stringify(spec.binary)} not found or not executable there (looked up from working_dir, with the service's PATH); install it or fix binary in ${spec.file}`, details);
    case 'setsid':
    case 'setsid-f':
      return new HarnessError('UNAVAILABLE', `${where}: the host has no \`setsid -f\` (util-linux), which runs the service in its own session; RemoteLan hosts must be Linux with util-linux`, details);
    case 'running':
      return new HarnessError('CONFLICT', `${where}: an earlier run (pid ${words[2]}) is still running there`, { ...details, pid: Number(words[2]) });
    case 'rundir':
      return new HarnessError('INTERNAL', `${where}: cannot write the run directory ${spec.service} under the project directory on the host`, details);
    case 'timeout':
      return new HarnessError('TIMEOUT', `${where}: the program was not running within 5 s of its launch`, details);
    default:
      return new HarnessError('INTERNAL', `${where}: the launch failed: ${(words.join(' ') || 'no output').slice(0, 500)}`, details);
  }
}
