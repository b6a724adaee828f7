// The shapes an SshHost is configured with and reports: state events, what a connection
// learned about the host, limits and counters.
import type { ErrorPayload } from '../../shared/errors.js';
import type { AuthSources } from './auth.js';
import type { ReconnectPolicy } from './backoff.js';
import type { KnownHostsConfig } from './host-verifier.js';

export type HostState = 'idle' | 'connecting' | 'connected' | 'lost' | 'reconnecting' | 'closed';

export interface HostInfo {
  key: string;
  host: string;
  port: number;
  user: string;
  /** The address the connection went to (the host name resolved). */
  remoteAddress: string;
  /** This machine's end of the SSH connection. */
  localAddress: string;
  /** This machine's source address on the route to the host (UDP connect(), nothing sent). */
  routeSourceAddress: string | null;
  /** How the host sees this machine: the client half of its `SSH_CONNECTION`. Differs from
   * localAddress behind NAT. Null when the variable is unset (a non-OpenSSH server). */
  seenAs: { address: string; port: number } | null;
  /** The host's own address for this connection: the server half of `SSH_CONNECTION`. */
  hostAddress: { address: string; port: number } | null;
  serverVersion: string;
  hostKey: { type: string; fingerprint: string };
  authenticatedWith: string;
  /** The known_hosts line accept-new added for this connection (OpenSSH's "Permanently added"). */
  addedKnownHost: string | null;
  connectedAt: number;
}

export interface HostStateEvent {
  key: string;
  host: string;
  port: number;
  user: string;
  state: HostState;
  /** Why: for lost, reconnecting (the last failure) and closed. */
  reason?: string;
  /** connecting: the attempt about to run; reconnecting: the one that will run after retryInMs. */
  attempt?: number;
  retryInMs?: number;
  /** closed after a refusal (host key, login) or after giving up. */
  error?: ErrorPayload;
  info?: HostInfo;
  at: number;
}

export interface HostLimits {
  /** TCP connections to the host at most. Default 3. */
  maxConnections: number;
  /** Session channels (exec, streams, SFTP) per connection. Default 8 (sshd allows 10). */
  maxChannelsPerConnection: number;
  /** Long-lived channels (spawn) per connection, so short operations always find room. Default 4. */
  maxStreamsPerConnection: number;
}

export const DEFAULT_LIMITS: HostLimits = { maxConnections: 3, maxChannelsPerConnection: 8, maxStreamsPerConnection: 4 };

export interface SshHostConfig {
  knownHosts: KnownHostsConfig;
  auth: AuthSources;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  connectTimeoutMs: number;
  readyTimeoutMs: number;
  /** How long an operation waits for the host while it is not connected. */
  connectWaitMs: number;
  /** Extra connections close after being idle this long; the primary stays. */
  idleCloseMs: number;
  limits: HostLimits;
  reconnect: ReconnectPolicy;
}

export interface HostStats {
  key: string;
  state: HostState;
  /** Connections open now / at most at once / ever opened (TCP connects that reached sshd). */
  connections: number;
  peakConnections: number;
  tcpConnects: number;
  /** Session channels open now / at most at once. */
  channels: number;
  peakChannels: number;
  streams: number;
  queued: number;
  /** Times the primary connection dropped. */
  losses: number;
}

export interface SpawnOptions {
  signal?: AbortSignal;
  /** Count the channel as an ordinary session, not a long-lived stream. */
  shortLived?: boolean;
  /** After SIGTERM on close/cancel, how long before SIGKILL. Default 2 s. */
  killGraceMs?: number;
}
