// One authenticated SSH connection (one ssh2 Client over one TCP socket) and its channel counts.
// The TCP socket is ours, so its connect has its own timeout and its addresses are known; the
// handshake verifies the host key (host-verifier.ts) and logs in (auth.ts). A link never
// reconnects: ssh2 cannot reuse a client, so the host (ssh-host.ts) makes a new link instead.
import { connect as tcpConnect, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { Client as Ssh2Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { HarnessError } from '../../shared/errors.js';
import { authError, makeAuthSession, prepareAuth, type AuthSources } from './auth.js';
import { knownKeyTypes } from './host-key-check.js';
import { fingerprintOf, keyTypeOf, preferredHostKeyAlgorithms } from './host-key.js';
import { makeHostVerifier, type KnownHostsConfig } from './host-verifier.js';
import { readKnownHosts } from './known-hosts.js';
import { targetKey, type ResolvedTarget } from './ssh-target.js';

const { Client } = ssh2;

export interface LinkConfig {
  target: ResolvedTarget;
  knownHosts: KnownHostsConfig;
  auth: AuthSources;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** TCP connect only. */
  connectTimeoutMs: number;
  /** SSH handshake and login, after the TCP connect. */
  readyTimeoutMs: number;
  /** Counts TCP connections that reached the server (including ones whose login then fails). */
  onTcpConnected?: () => void;
}

export interface LinkInfo {
  /** The address the TCP connection went to (the host name resolved). */
  remoteAddress: string;
  remotePort: number;
  /** This machine's end of the TCP connection. */
  localAddress: string;
  localPort: number;
  serverVersion: string;
  hostKey: { type: string; fingerprint: string };
  /** "ssh-agent key ED25519 SHA256:…" or "/path/key (ED25519 SHA256:…)". */
  authenticatedWith: string;
  /** The known_hosts line accept-new added during this handshake. */
  appendedKnownHost: string | null;
}

/** Host-key and login refusals: retrying cannot help until the user acts. */
export function isPermanentFailure(err: unknown): boolean {
  const kind = (err instanceof HarnessError ? (err.details as { kind?: string } | undefined)?.kind : undefined) ?? '';
  return kind.startsWith('host-key-') || kind === 'auth-failed';
}

export function unreachable(target: ResolvedTarget, reason: string, extra: { notStarted?: boolean } = {}): HarnessError {
  return new HarnessError('UNAVAILABLE', `Cannot reach ${targetKey(target)}: ${reason}`, {
    kind: 'unreachable', host: target.host, port: target.port, user: target.user, reason, ...extra,
  });
}

/** The connection died before a channel was open: the command never ran, it is safe to retry. */
export function failedBeforeStart(err: unknown): boolean {
  return err instanceof HarnessError && (err.details as { notStarted?: boolean } | undefined)?.notStarted === true;
}

function socketTo(target: ResolvedTarget, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: target.host, port: target.port });
    const fail = (err: Error) => { cleanup(); sock.destroy(); reject(err); };
    const onError = (err: NodeJS.ErrnoException) => fail(unreachable(target, tcpReason(err)));
    const onAbort = () => fail(new HarnessError('CANCELLED', `Connecting to ${targetKey(target)} was cancelled`));
    const timer = setTimeout(() => fail(unreachable(target, `no TCP connection within ${timeoutMs / 1000} s (host down, link cut, or a firewall dropping packets)`)), timeoutMs);
    const cleanup = () => { clearTimeout(timer); sock.off('error', onError); signal?.removeEventListener('abort', onAbort); };
    sock.once('error', onError);
    // Without TCP_NODELAY every small request (an SFTP stat, a channel open) waits for the peer's
    // delayed ACK: ~40 ms a round trip instead of well under one (measured on the test hosts).
    sock.once('connect', () => { cleanup(); sock.setNoDelay(true); resolve(sock); });
    if (signal?.aborted) onAbort(); else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function tcpReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED': return 'connection refused (is sshd running and listening on that port?)';
    case 'EHOSTUNREACH': return 'no route to the host (EHOSTUNREACH)';
    case 'ENETUNREACH': return 'network unreachable (ENETUNREACH)';
    case 'ENOTFOUND': case 'EAI_AGAIN': return `the name does not resolve (${err.code})`;
    case 'ETIMEDOUT': return 'TCP connect timed out';
    default: return err.message;
  }
}

let nextLinkId = 1;

export class SshLink {
  readonly id = nextLinkId++;
  /** Session channels open now (exec, streams, the SFTP subsystem). */
  sessions = 0;
  /** Long-lived ones among them. */
  streams = 0;
  private ended = false;
  private deliberate = false;
  private reason: string | null = null;
  private readonly lostListeners = new Set<(reason: string) => void>();
  private barrierQueue: Array<() => void> = [];
  private readonly killBatches = new Map<string, { pgids: Set<number>; done: Array<() => void> }>();
  private barrierScheduled = false;

  private constructor(readonly client: Ssh2Client, readonly info: LinkInfo, readonly target: ResolvedTarget) {
    client.on('error', (err: Error & { level?: string }) => {
      // Errors after login are either the cause of the coming close or per-request ones.
      if (err.level === 'client-timeout') this.reason ??= 'no answer to keepalives (host down or link cut)';
      else if (err.level === 'client-socket') this.reason ??= `connection error: ${err.message}`;
      else if (err.level === 'protocol') this.reason ??= `protocol error: ${err.message}`;
      else if (typeof (err as { code?: unknown }).code === 'number') this.reason ??= `the server disconnected: ${err.message}`;
    });
    client.on('close', () => {
      if (this.ended) return;
      this.ended = true;
      if (this.deliberate) return;
      const reason = this.reason ?? 'the server closed the connection';
      for (const fn of this.lostListeners) fn(reason);
    });
  }

  /** Connects, verifies the host key and logs in; rejects with a HarnessError that says why not. */
  static async open(cfg: LinkConfig, signal?: AbortSignal): Promise<SshLink> {
    const { target } = cfg;
    const files = [...cfg.knownHosts.userFiles, ...cfg.knownHosts.globalFiles];
    const known = await readKnownHosts(files);
    const algorithms = preferredHostKeyAlgorithms(knownKeyTypes(known, target.host, target.port));
    const candidates = await prepareAuth(cfg.auth);
    const sock = await socketTo(target, cfg.connectTimeoutMs, signal);
    cfg.onTcpConnected?.();
    const auth = makeAuthSession(target.user, candidates);
    const verifier = makeHostVerifier(target.host, target.port, cfg.knownHosts);
    const client = new Client();
    return new Promise<SshLink>((resolve, reject) => {
      let settled = false;
      let lastError: (Error & { level?: string }) | null = null;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const failure = (): HarnessError => {
        if (verifier.result.error) return verifier.result.error;
        if (lastError?.level === 'client-authentication') return authError(target.host, target.port, target.user, auth);
        // The server disconnecting in the middle of the login is sshd ending it (MaxAuthTries);
        // a socket error there is the network's doing and is retried like any other.
        if (auth.current() && typeof (lastError as { code?: unknown } | null)?.code === 'number') {
          return authError(target.host, target.port, target.user, auth, `The server ended the login: ${lastError!.message}`);
        }
        if (lastError?.level === 'client-timeout') {
          return unreachable(target, `no SSH handshake within ${cfg.readyTimeoutMs / 1000} s`);
        }
        return unreachable(target, lastError ? `SSH handshake failed: ${lastError.message}` : 'the connection closed during the SSH handshake');
      };
      const onAbort = () => settle(() => {
        client.end();
        sock.destroy();
        reject(new HarnessError('CANCELLED', `Connecting to ${targetKey(target)} was cancelled`));
      });
      client.on('error', (err: Error & { level?: string }) => { lastError = err; });
      client.once('close', () => settle(() => reject(failure())));
      client.once('ready', () => settle(() => {
        const key = verifier.result.presented ?? Buffer.alloc(0);
        const attempt = auth.current();
        if (attempt) attempt.result = 'accepted';
        const info: LinkInfo = {
          remoteAddress: sock.remoteAddress ?? target.host,
          remotePort: sock.remotePort ?? target.port,
          localAddress: sock.localAddress ?? '',
          localPort: sock.localPort ?? 0,
          serverVersion: (client as unknown as { _remoteVer?: string })._remoteVer ?? '',
          hostKey: { type: keyTypeOf(key) ?? 'unknown', fingerprint: fingerprintOf(key) },
          authenticatedWith: attempt
            ? attempt.source === 'agent' ? `ssh-agent key ${attempt.key}` : `${attempt.source} (${attempt.key})`
            : 'unknown',
          appendedKnownHost: verifier.result.appended,
        };
        resolve(new SshLink(client, info, target));
      }));
      if (signal?.aborted) { onAbort(); return; }
      signal?.addEventListener('abort', onAbort, { once: true });
      client.connect({
        sock,
        username: target.user,
        hostVerifier: verifier.verify,
        authHandler: auth.handler,
        keepaliveInterval: cfg.keepaliveIntervalMs,
        keepaliveCountMax: cfg.keepaliveCountMax,
        readyTimeout: cfg.readyTimeoutMs,
        algorithms: { serverHostKey: algorithms as never },
      });
    });
  }

  get alive(): boolean { return !this.ended; }

  /** Why the link ended, once it has. */
  get endReason(): string | null { return this.ended ? (this.reason ?? (this.deliberate ? 'closed' : 'the server closed the connection')) : null; }

  /** Called once if the connection drops (not after close()). */
  onLost(fn: (reason: string) => void): () => void {
    this.lostListeners.add(fn);
    return () => this.lostListeners.delete(fn);
  }

  /** Ends the connection on purpose; its channels close with `reason`. */
  close(reason = 'closed'): void {
    if (this.ended) return;
    this.deliberate = true;
    this.reason ??= reason;
    this.client.end();
    // end() waits for the server; a dead peer never answers, so do not wait for it.
    const sock = (this.client as unknown as { _sock?: Socket })._sock;
    setTimeout(() => sock?.destroy(), 1000).unref();
  }

  /**
   * Runs `fn` once the server has processed everything sent so far: one global-request round trip
   * (the keepalive ping ssh2 itself uses). sshd frees a session slot only when it garbage-collects
   * the closed channel, after the packets that arrived with our CLOSE are handled; a slot reused
   * at once can meet "no more sessions". Waiters batched into one ping.
   */
  afterServerCatchesUp(fn: () => void): void {
    if (this.ended) { fn(); return; }
    this.barrierQueue.push(fn);
    if (this.barrierScheduled) return;
    this.barrierScheduled = true;
    setImmediate(() => {
      this.barrierScheduled = false;
      const batch = this.barrierQueue.splice(0);
      const run = () => { for (const f of batch) f(); };
      // ssh2 internals (as its keepalive uses them): replies to global requests are matched to
      // this queue in order; on close every queued callback is called with an error.
      const internals = this.client as unknown as { _callbacks?: Array<(failed: boolean) => void>; _protocol?: { ping?: () => void } };
      if (this.ended || !Array.isArray(internals._callbacks) || typeof internals._protocol?.ping !== 'function') {
        setTimeout(run, 50);
        return;
      }
      internals._callbacks.push(run);
      internals._protocol.ping();
    });
  }

  /**
   * Sends a signal to a process group on the host (`kill -SIG -- -PGID`). Requests made in the
   * same tick share one short channel, outside the session budget: it must not queue behind the
   * very commands it is ending. A refused channel (every slot busy) is retried for up to 2 s.
   */
  signalGroup(pgid: number, sig: string): Promise<void> {
    if (this.ended || !Number.isInteger(pgid) || pgid <= 1 || !/^[A-Z0-9]+$/.test(sig)) return Promise.resolve();
    return new Promise((resolve) => {
      let batch = this.killBatches.get(sig);
      if (!batch) {
        batch = { pgids: new Set(), done: [] };
        this.killBatches.set(sig, batch);
        setImmediate(() => void this.flushKills(sig));
      }
      batch.pgids.add(pgid);
      batch.done.push(resolve);
    });
  }

  private async flushKills(sig: string): Promise<void> {
    const batch = this.killBatches.get(sig)!;
    this.killBatches.delete(sig);
    const line = `kill -${sig} -- ${[...batch.pgids].map((p) => `-${p}`).join(' ')} 2>/dev/null; exit 0`;
    for (let attempt = 0; attempt < 20 && !this.ended; attempt++) {
      const ok = await this.openExec(line).then((ch) => new Promise<boolean>((resolve) => {
        ch.once('close', () => resolve(true));
        ch.resume();
        ch.stderr.resume();
        ch.end();
      }), () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const done of batch.done) done();
  }

  /** Opens an exec channel (no pty: streams stay apart and binary-clean). */
  openExec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      // Until the open is confirmed ssh2 has not sent the exec request: nothing ran.
      const lost = () => unreachable(this.target, `connection lost: ${this.endReason}`, { notStarted: true });
      if (this.ended) { reject(lost()); return; }
      this.client.exec(command, (err, channel) => {
        if (err) reject(this.ended ? lost() : this.channelError(err));
        else resolve(channel);
      });
    });
  }

  /** Opens an SFTP session (it holds one session channel; the host shares one per connection). */
  openSftp(): Promise<SFTPWrapper> {
    return new Promise<SFTPWrapper>((resolve, reject) => {
      if (this.ended) { reject(unreachable(this.target, `connection lost: ${this.endReason}`)); return; }
      this.client.sftp((err, sftp) => (err ? reject(this.channelError(err)) : resolve(sftp)));
    });
  }

  channelError(err: Error & { reason?: unknown }): HarnessError {
    if (this.ended) return unreachable(this.target, `connection lost: ${this.endReason}`);
    return new HarnessError(
      'UNAVAILABLE',
      `${targetKey(this.target)} refused a channel: ${err.message}. (sshd allows MaxSessions channels per connection, 10 by default.)`,
      { kind: 'channel-refused', host: this.target.host, port: this.target.port, user: this.target.user, reason: err.message },
    );
  }

}
