// Everything done on one (host, port, user) goes through one SshHost: a primary connection kept up
// (and re-made, with backoff, by a new ssh2 client when it drops), up to `maxConnections` in all,
// and a FIFO queue of channel requests so that no connection carries more than
// `maxChannelsPerConnection` session channels: sshd refuses the 11th (MaxSessions 10) and drops
// bursts of new connections (MaxStartups 10:30:100), so 50 operations at once must queue.
import { HarnessError } from '../../shared/errors.js';
import { reconnectDelay, sleep } from './backoff.js';
import type { HostKeyPolicy } from './host-key-check.js';
import { operationSignal, runExec, runStream, type ExecOptions, type ExecResult, type RemoteProcess } from './remote-exec.js';
import { RemoteFiles } from './remote-files.js';
import { routeSourceAddress } from './route-source.js';
import { shellQuote } from './shell-quote.js';
import { failedBeforeStart, isPermanentFailure, SshLink, unreachable, type LinkConfig } from './ssh-link.js';
import { targetKey, type ResolvedTarget } from './ssh-target.js';
import { Tunnels, type LocalForward, type LocalForwardSpec, type RemoteForward, type RemoteForwardSpec } from './tunnels.js';
import type { SFTPWrapper } from 'ssh2';
import type { HostInfo, HostState, HostStateEvent, HostStats, SpawnOptions, SshHostConfig } from './ssh-host-types.js';

export type { HostInfo, HostLimits, HostState, HostStateEvent, HostStats, SpawnOptions, SshHostConfig } from './ssh-host-types.js';
export { DEFAULT_LIMITS } from './ssh-host-types.js';

type Kind = 'session' | 'stream' | 'none';

interface Lease {
  link: SshLink;
  release(): void;
}

interface Waiter {
  kind: Kind;
  resolve(lease: Lease): void;
  reject(err: Error): void;
  connTimer?: NodeJS.Timeout;
  cancel?: () => void;
}


export class SshHost {
  readonly key: string;
  readonly files: RemoteFiles;
  private stateValue: HostState = 'idle';
  private links: SshLink[] = [];
  private opening = 0;
  private growBlockedUntil = 0;
  private readonly waiters: Waiter[] = [];
  private loop: Promise<void> | null = null;
  private loopAbort: AbortController | null = null;
  private userClosed = false;
  private lastReason: string | null = null;
  private sftpShared: Promise<{ sftp: SFTPWrapper; link: SshLink }> | null = null;
  private readonly listeners = new Set<(e: HostStateEvent) => void>();
  private readonly idleTimers = new Map<SshLink, NodeJS.Timeout>();
  private readonly tunnels: Tunnels;
  private hostInfo: HostInfo | null = null;
  private counters = { peakConnections: 0, tcpConnects: 0, peakChannels: 0, losses: 0 };

  constructor(readonly target: ResolvedTarget, private readonly cfg: SshHostConfig) {
    this.key = targetKey(target);
    this.files = new RemoteFiles({ session: (signal) => this.sftpSession(signal) });
    this.tunnels = new Tunnels(this.key, {
      primary: (signal) => this.acquire('none', signal).then((l) => l.link),
    });
  }

  get state(): HostState { return this.stateValue; }
  /** What the last connection learned (kept while reconnecting). */
  get info(): HostInfo | null { return this.hostInfo; }

  onState(fn: (e: HostStateEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Identity files added after creation apply from the next connection on. */
  addIdentityFiles(files: readonly string[]): void {
    for (const f of files) if (!this.cfg.auth.identityFiles.includes(f)) this.cfg.auth.identityFiles.push(f);
  }

  setHostKeyPolicy(policy: HostKeyPolicy): void { this.cfg.knownHosts.policy = policy; }

  stats(): HostStats {
    const channels = this.links.reduce((n, l) => n + l.sessions, 0);
    return {
      key: this.key,
      state: this.stateValue,
      connections: this.links.length,
      peakConnections: this.counters.peakConnections,
      tcpConnects: this.counters.tcpConnects,
      channels,
      peakChannels: this.counters.peakChannels,
      streams: this.links.reduce((n, l) => n + l.streams, 0),
      queued: this.waiters.length,
      losses: this.counters.losses,
    };
  }

  /** Connects if needed and resolves once connected (or rejects after connectWaitMs / a refusal). */
  async connect(opts: { signal?: AbortSignal } = {}): Promise<HostInfo> {
    const lease = await this.acquire('none', opts.signal);
    lease.release();
    return this.hostInfo!;
  }

  /** Runs argv (each element one literal word) and collects its output. */
  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.execLine(shellQuote(argv), opts);
  }

  /** Runs a command line built with shellQuote/commandLine (never from unquoted input). */
  async execLine(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const op = operationSignal(`\`${command.slice(0, 80)}\` on ${this.key}`, opts);
    try {
      // A connection that dies between handing out a slot and opening the channel ran nothing:
      // the request waits for the next connection like one issued while down (bounded).
      for (let attempt = 1; ; attempt++) {
        const lease = await this.acquire('session', op.signal);
        try {
          return await runExec(lease.link, command, { ...opts, signal: op.signal }, { release: () => lease.release() });
        } catch (err) {
          if (!failedBeforeStart(err) || attempt >= 3) throw err;
        }
      }
    } finally {
      op.done();
    }
  }

  /** Starts a long-lived command (a log follow) and hands back its streams. */
  spawn(argv: readonly string[], opts: SpawnOptions = {}): Promise<RemoteProcess> {
    return this.spawnLine(shellQuote(argv), opts);
  }

  async spawnLine(command: string, opts: SpawnOptions = {}): Promise<RemoteProcess> {
    for (let attempt = 1; ; attempt++) {
      const lease = await this.acquire(opts.shortLived ? 'session' : 'stream', opts.signal);
      try {
        return await runStream(lease.link, command, opts, { release: () => lease.release() });
      } catch (err) {
        if (!failedBeforeStart(err) || attempt >= 3) throw err;
      }
    }
  }

  /** A remote service reaches a local one: sshd listens on the host, connections come here. */
  forwardIn(spec: RemoteForwardSpec, opts: { signal?: AbortSignal } = {}): Promise<RemoteForward> {
    this.ensureLoop();
    return this.tunnels.forwardIn(spec, opts.signal);
  }

  /** A local listener whose connections are carried to an address as seen from the host. */
  forwardOut(spec: LocalForwardSpec): Promise<LocalForward> {
    this.ensureLoop();
    return this.tunnels.forwardOut(spec);
  }

  /** Ends everything: connections, tunnels, queued operations (CANCELLED). Final. */
  async close(): Promise<void> {
    if (this.userClosed) return;
    this.userClosed = true;
    this.loopAbort?.abort();
    await this.tunnels.closeAll();
    for (const l of this.links) l.close();
    this.links = [];
    for (const t of this.idleTimers.values()) clearTimeout(t);
    this.idleTimers.clear();
    this.failWaiters(new HarnessError('CANCELLED', `the connection to ${this.key} was closed`));
    this.setState('closed', { reason: 'closed' });
    await this.loop?.catch(() => undefined);
  }

  // --- channels -------------------------------------------------------------------------------

  private acquire(kind: Kind, signal?: AbortSignal): Promise<Lease> {
    if (this.userClosed) return Promise.reject(new HarnessError('CANCELLED', `the connection to ${this.key} is closed`));
    if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new HarnessError('CANCELLED', 'cancelled'));
    // FIFO: a request that needs a slot does not overtake queued ones; 'none' needs no slot.
    const lease = kind === 'none' || this.waiters.length === 0 ? this.take(kind) : null;
    if (lease) return Promise.resolve(lease);
    this.ensureLoop();
    return new Promise<Lease>((resolve, reject) => {
      const w: Waiter = { kind, resolve, reject };
      if (signal) {
        const onAbort = () => {
          this.removeWaiter(w);
          reject(signal.reason instanceof Error ? signal.reason : new HarnessError('CANCELLED', 'cancelled'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        w.cancel = () => signal.removeEventListener('abort', onAbort);
      }
      this.waiters.push(w);
      if (this.stateValue !== 'connected') this.armConnWait(w);
      this.drain();
    });
  }

  private take(kind: Kind): Lease | null {
    if (this.stateValue !== 'connected') return null;
    const { maxChannelsPerConnection: maxCh, maxStreamsPerConnection: maxStreams } = this.cfg.limits;
    for (const link of this.links) {
      if (!link.alive) continue;
      if (kind === 'none') return { link, release: () => undefined };
      if (link.sessions >= maxCh) continue;
      if (kind === 'stream' && link.streams >= maxStreams) continue;
      link.sessions++;
      if (kind === 'stream') link.streams++;
      this.noteChannels();
      const timer = this.idleTimers.get(link);
      if (timer) { clearTimeout(timer); this.idleTimers.delete(link); }
      let released = false;
      return {
        link,
        release: () => {
          if (released) return;
          released = true;
          // The slot is free once sshd has freed it, not when our side saw the channel close.
          link.afterServerCatchesUp(() => {
            link.sessions--;
            if (kind === 'stream') link.streams--;
            if (link !== this.links[0] && link.sessions === 0 && link.alive) this.armIdle(link);
            this.drain();
          });
        },
      };
    }
    return null;
  }

  private noteChannels(): void {
    const n = this.links.reduce((s, l) => s + l.sessions, 0);
    if (n > this.counters.peakChannels) this.counters.peakChannels = n;
  }

  private drain(): void {
    for (let i = 0; i < this.waiters.length;) {
      const w = this.waiters[i];
      const lease = this.take(w.kind);
      if (!lease) { i++; continue; }
      this.waiters.splice(i, 1);
      this.clearWaiter(w);
      w.resolve(lease);
    }
    this.maybeGrow();
  }

  private removeWaiter(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    this.clearWaiter(w);
  }

  private clearWaiter(w: Waiter): void {
    if (w.connTimer) clearTimeout(w.connTimer);
    w.connTimer = undefined;
    w.cancel?.();
  }

  private armConnWait(w: Waiter): void {
    if (w.connTimer) return;
    w.connTimer = setTimeout(() => {
      this.removeWaiter(w);
      const why = this.lastReason ? `${this.stateValue}: ${this.lastReason}` : this.stateValue;
      w.reject(unreachable(this.target, `not connected after waiting ${this.cfg.connectWaitMs / 1000} s (${why}); still retrying in the background`));
    }, this.cfg.connectWaitMs);
  }

  private failWaiters(err: Error): void {
    for (const w of this.waiters.splice(0)) {
      this.clearWaiter(w);
      w.reject(err);
    }
  }

  private armIdle(link: SshLink): void {
    if (this.idleTimers.has(link)) return;
    const timer = setTimeout(() => {
      this.idleTimers.delete(link);
      if (link.sessions === 0 && link !== this.links[0]) {
        this.links = this.links.filter((l) => l !== link);
        link.close('idle');
      }
    }, this.cfg.idleCloseMs);
    timer.unref();
    this.idleTimers.set(link, timer);
  }

  /** Opens extra connections while requests wait and the limit allows. */
  private maybeGrow(): void {
    if (this.stateValue !== 'connected' || this.userClosed || Date.now() < this.growBlockedUntil) return;
    const waiting = this.waiters.filter((w) => w.kind !== 'none').length;
    if (waiting === 0) return;
    const room = this.cfg.limits.maxConnections - this.links.length - this.opening;
    const wanted = Math.min(room, Math.ceil(waiting / this.cfg.limits.maxChannelsPerConnection) - this.opening);
    for (let i = 0; i < wanted; i++) {
      this.opening++;
      SshLink.open(this.linkConfig()).then((link) => {
        this.opening--;
        if (this.stateValue !== 'connected' || this.userClosed) { link.close(); return; }
        this.addLink(link);
        link.onLost(() => {
          this.links = this.links.filter((l) => l !== link);
          this.drain();
        });
        this.drain();
        if (link.sessions === 0) this.armIdle(link);
      }, () => {
        // An extra connection is an optimisation: requests keep waiting for the ones that exist.
        this.opening--;
        this.growBlockedUntil = Date.now() + 2000;
        setTimeout(() => this.drain(), 2100).unref();
      });
    }
  }

  private addLink(link: SshLink): void {
    this.links.push(link);
    if (this.links.length > this.counters.peakConnections) this.counters.peakConnections = this.links.length;
  }

  // --- SFTP -----------------------------------------------------------------------------------

  private sftpSession(signal?: AbortSignal): Promise<{ sftp: SFTPWrapper; link: SshLink }> {
    if (this.sftpShared) return this.sftpShared;
    // Opened without the caller's signal: it is shared, one caller's cancel must not fail others.
    const p = (async () => {
      const lease = await this.acquire('session');
      try {
        const sftp = await lease.link.openSftp();
        const drop = () => { lease.release(); if (this.sftpShared === p) this.sftpShared = null; };
        sftp.once('close', drop);
        sftp.once('end', drop);
        return { sftp, link: lease.link };
      } catch (err) {
        lease.release();
        throw err;
      }
    })();
    this.sftpShared = p;
    p.catch(() => { if (this.sftpShared === p) this.sftpShared = null; });
    if (!signal) return p;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new HarnessError('CANCELLED', 'cancelled'));
      if (signal.aborted) { onAbort(); return; }
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  // --- connection lifecycle -------------------------------------------------------------------

  private linkConfig(): LinkConfig {
    return {
      target: this.target,
      knownHosts: this.cfg.knownHosts,
      auth: this.cfg.auth,
      keepaliveIntervalMs: this.cfg.keepaliveIntervalMs,
      keepaliveCountMax: this.cfg.keepaliveCountMax,
      connectTimeoutMs: this.cfg.connectTimeoutMs,
      readyTimeoutMs: this.cfg.readyTimeoutMs,
      onTcpConnected: () => { this.counters.tcpConnects++; },
    };
  }

  private setState(state: HostState, extra: Omit<HostStateEvent, 'key' | 'host' | 'port' | 'user' | 'state' | 'at'> = {}): void {
    this.stateValue = state;
    if (extra.reason) this.lastReason = extra.reason;
    const event: HostStateEvent = { key: this.key, ...this.target, state, ...extra, at: Date.now() };
    for (const fn of this.listeners) {
      try { fn(event); } catch { /* a listener's failure is not the connection's */ }
    }
  }

  private ensureLoop(afterLoss = false): void {
    if (this.loop || this.userClosed || this.stateValue === 'connected') return;
    const ac = new AbortController();
    this.loopAbort = ac;
    this.loop = this.connectLoop(ac.signal, afterLoss).finally(() => { this.loop = null; });
  }

  private async connectLoop(signal: AbortSignal, afterLoss: boolean): Promise<void> {
    const { reconnect } = this.cfg;
    for (let attempt = 1; !signal.aborted; attempt++) {
      if (afterLoss || attempt > 1) {
        const delay = reconnectDelay(reconnect, attempt);
        this.setState('reconnecting', { attempt, retryInMs: delay, reason: this.lastReason ?? undefined });
        await sleep(delay, signal);
        if (signal.aborted) return;
      }
      this.setState('connecting', { attempt });
      let link: SshLink;
      try {
        link = await SshLink.open(this.linkConfig(), signal);
        await this.adoptPrimary(link);
      } catch (err) {
        if (signal.aborted) return;
        const e = err instanceof HarnessError ? err : unreachable(this.target, (err as Error).message);
        if (isPermanentFailure(e)) {
          this.failWaiters(e);
          this.setState('closed', { reason: e.message, error: e.toPayload() });
          return;
        }
        this.lastReason = e.message;
        if (attempt >= reconnect.maxAttempts) {
          const gaveUp = unreachable(this.target, `gave up after ${attempt} attempts; last: ${e.message}`);
          this.failWaiters(gaveUp);
          this.setState('closed', { reason: gaveUp.message, error: gaveUp.toPayload() });
          return;
        }
        continue;
      }
      if (signal.aborted) { link.close(); return; }
      // Remote forwards are back before the host is announced connected (a refusal is the
      // tunnel's own state, not the connection's).
      await this.tunnels.reestablish(link);
      if (signal.aborted) { link.close(); return; }
      if (!link.alive) continue;
      this.setState('connected', { info: this.hostInfo! });
      for (const w of this.waiters) { if (w.connTimer) clearTimeout(w.connTimer); w.connTimer = undefined; }
      this.drain();
      return;
    }
  }

  private async adoptPrimary(link: SshLink): Promise<void> {
    // What the host sees: SSH_CONNECTION is "client-ip client-port server-ip server-port".
    // A host that runs no commands (ForceCommand, no shell) still connects, without this view.
    const probe = await runExec(link, 'echo "$SSH_CONNECTION"', { signal: AbortSignal.timeout(this.cfg.readyTimeoutMs), maxOutputBytes: 4096 }, { release: () => undefined })
      .catch(() => null);
    const [ca, cp, sa, sp] = probe?.code === 0 ? probe.stdout.trim().split(/\s+/) : [];
    const route = await routeSourceAddress(link.info.remoteAddress);
    if (!link.alive) throw unreachable(this.target, `connection lost right after login: ${link.endReason}`);
    this.hostInfo = {
      key: this.key,
      ...this.target,
      remoteAddress: link.info.remoteAddress,
      localAddress: link.info.localAddress,
      routeSourceAddress: route,
      seenAs: ca && cp ? { address: ca, port: Number(cp) } : null,
      hostAddress: sa && sp ? { address: sa, port: Number(sp) } : null,
      serverVersion: link.info.serverVersion,
      hostKey: link.info.hostKey,
      authenticatedWith: link.info.authenticatedWith,
      addedKnownHost: link.info.appendedKnownHost,
      connectedAt: Date.now(),
    };
    this.links = [];
    this.addLink(link);
    link.onLost((reason) => this.onPrimaryLost(link, reason));
  }

  private onPrimaryLost(link: SshLink, reason: string): void {
    if (this.links[0] !== link || this.userClosed) return;
    // The extra connections go the same way: same host, same path.
    for (const other of this.links.slice(1)) other.close(`connection to the host lost: ${reason}`);
    this.links = [];
    this.sftpShared = null;
    this.counters.losses++;
    this.tunnels.markDown(reason);
    this.setState('lost', { reason });
    for (const w of this.waiters) this.armConnWait(w);
    this.ensureLoop(true);
  }
}
