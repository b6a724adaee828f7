// The pool: one SshHost per (host, port, user), shared by every service and operation on it,
// and the defaults every host starts from (where known_hosts and the keys are, the policy, the
// limits, keepalive and backoff). All paths are options so tests never touch the real ~/.ssh.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../../shared/errors.js';
import { defaultIdentityFiles } from './auth.js';
import { DEFAULT_RECONNECT, type ReconnectPolicy } from './backoff.js';
import type { HostKeyPolicy } from './host-key-check.js';
import { DEFAULT_LIMITS, SshHost, type HostLimits, type HostStateEvent } from './ssh-host.js';
import { resolveTarget, targetKey, type SshTarget } from './ssh-target.js';

/**
 * Keepalive: ssh2 pings (keepalive@openssh.com) after `intervalMs` without data from the server
 * and gives up after `countMax` unanswered pings, so a dead host or a cut link is noticed within
 * intervalMs × (countMax + 1) of the last data received: 5 s × 3 = 15 s by default. Shorter
 * intervals find a loss sooner but cost a round trip per interval per connection and misreport a
 * congested link; 15 s is the bound the RemoteLan issue asks for.
 */
export const DEFAULT_KEEPALIVE = { intervalMs: 5000, countMax: 2 };

export interface SshPoolOptions {
  /** Whose ~/.ssh to use. Default os.homedir(). */
  homeDir?: string;
  /** Default [~/.ssh/known_hosts, ~/.ssh/known_hosts2]; accept-new and trust append to the first. */
  knownHostsFiles?: string[];
  /** Default [/etc/ssh/ssh_known_hosts, /etc/ssh/ssh_known_hosts2]. */
  globalKnownHostsFiles?: string[];
  /** Default 'strict': unknown hosts are refused. */
  hostKeyPolicy?: HostKeyPolicy;
  /** Hash names that accept-new appends (OpenSSH HashKnownHosts). Default false. */
  hashKnownHosts?: boolean;
  /** ssh-agent socket. Default $SSH_AUTH_SOCK; null for none. */
  agentSocket?: string | null;
  /** Default ~/.ssh/{id_rsa,id_ecdsa,id_ecdsa_sk,id_ed25519,id_ed25519_sk,id_dsa}. */
  defaultIdentityFiles?: string[];
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** TCP connect. Default 10 s. */
  connectTimeoutMs?: number;
  /** SSH handshake + login. Default 20 s. */
  readyTimeoutMs?: number;
  /** How long an operation waits for a host that is not connected. Default 30 s. */
  connectWaitMs?: number;
  /** Extra connections close after this idle time. Default 30 s. */
  idleCloseMs?: number;
  limits?: Partial<HostLimits>;
  reconnect?: Partial<ReconnectPolicy>;
}

export interface HostRequest extends SshTarget {
  /** identity_file(s) of the service; tried after the agent, before the defaults. */
  identityFile?: string | string[];
  /** Overrides the pool's policy for this host (from its next connection on). */
  hostKeyPolicy?: HostKeyPolicy;
}

export class SshPool {
  private readonly hostsByKey = new Map<string, SshHost>();
  private readonly listeners = new Set<(e: HostStateEvent) => void>();
  private closed = false;

  constructor(private readonly opts: SshPoolOptions = {}) {}

  /** The host for (host, port, user), created on first use. Connecting starts with the first operation. */
  host(req: HostRequest): SshHost {
    if (this.closed) throw new HarnessError('CANCELLED', 'the SSH pool is closed');
    const target = resolveTarget(req);
    const key = targetKey(target);
    const identityFiles = req.identityFile === undefined ? [] : Array.isArray(req.identityFile) ? req.identityFile : [req.identityFile];
    const existing = this.hostsByKey.get(key);
    if (existing) {
      existing.addIdentityFiles(identityFiles);
      if (req.hostKeyPolicy) existing.setHostKeyPolicy(req.hostKeyPolicy);
      return existing;
    }
    const o = this.opts;
    const sshDir = join(o.homeDir ?? homedir(), '.ssh');
    const host = new SshHost(target, {
      knownHosts: {
        userFiles: o.knownHostsFiles ?? [join(sshDir, 'known_hosts'), join(sshDir, 'known_hosts2')],
        globalFiles: o.globalKnownHostsFiles ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
        policy: req.hostKeyPolicy ?? o.hostKeyPolicy ?? 'strict',
        hashNewEntries: o.hashKnownHosts ?? false,
      },
      auth: {
        agentSocket: o.agentSocket === undefined ? (process.env.SSH_AUTH_SOCK || null) : o.agentSocket,
        identityFiles: [...identityFiles],
        defaultIdentityFiles: o.defaultIdentityFiles ?? defaultIdentityFiles(sshDir),
      },
      keepaliveIntervalMs: o.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE.intervalMs,
      keepaliveCountMax: o.keepaliveCountMax ?? DEFAULT_KEEPALIVE.countMax,
      connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
      readyTimeoutMs: o.readyTimeoutMs ?? 20_000,
      connectWaitMs: o.connectWaitMs ?? 30_000,
      idleCloseMs: o.idleCloseMs ?? 30_000,
      limits: { ...DEFAULT_LIMITS, ...o.limits },
      reconnect: { ...DEFAULT_RECONNECT, ...o.reconnect },
    });
    host.onState((e) => { for (const fn of this.listeners) fn(e); });
    this.hostsByKey.set(key, host);
    return host;
  }

  /** State changes of every host, each naming its host key (user@host:port). */
  onState(fn: (e: HostStateEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Where trusted keys are appended (the first user known_hosts file) and whether names are
   * hashed: the trust command and prompt write there, as accept-new does. */
  knownHostsTarget(): { file: string; hash: boolean } {
    const o = this.opts;
    const file = o.knownHostsFiles?.[0] ?? join(o.homeDir ?? homedir(), '.ssh', 'known_hosts');
    return { file, hash: o.hashKnownHosts ?? false };
  }

  /** The files known keys are read from: the user's, then the system's. */
  knownHostsFiles(): string[] {
    const o = this.opts;
    const sshDir = join(o.homeDir ?? homedir(), '.ssh');
    return [
      ...(o.knownHostsFiles ?? [join(sshDir, 'known_hosts'), join(sshDir, 'known_hosts2')]),
      ...(o.globalKnownHostsFiles ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']),
    ];
  }

  hosts(): SshHost[] {
    return [...this.hostsByKey.values()];
  }

  /** Closes one host and forgets it (a later host() call makes a fresh one). */
  async release(req: SshTarget): Promise<void> {
    const key = targetKey(resolveTarget(req));
    const host = this.hostsByKey.get(key);
    this.hostsByKey.delete(key);
    await host?.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.hostsByKey.values()];
    this.hostsByKey.clear();
    await Promise.all(all.map((h) => h.close()));
  }
}
