// The SSH layer for RemoteLan and Wireguard targets: a pool of verified, authenticated,
// kept-alive connections, quoting for remote commands, SFTP and tunnels. See
// docs/remote.md for behaviour (keys, trust, auth, limits, reconnects).
export { SshPool, DEFAULT_KEEPALIVE, type SshPoolOptions, type HostRequest } from './ssh-pool.js';
export {
  SshHost, DEFAULT_LIMITS,
  type HostState, type HostStateEvent, type HostInfo, type HostLimits, type HostStats, type SpawnOptions,
} from './ssh-host.js';
export { targetKey, type SshTarget } from './ssh-target.js';
export type { ExecOptions, ExecResult, RemoteExit, RemoteProcess } from './remote-exec.js';
export type { RemoteFiles, RemoteReadHandle, RemoteStat, WriteOptions, FastPutOptions, TransferProgress } from './remote-files.js';
export type { RemoteForward, RemoteForwardSpec, LocalForward, LocalForwardSpec, TunnelState } from './tunnels.js';
export { shellQuote, quoteArg, commandLine, type CommandLineOptions } from './shell-quote.js';
export { appendKnownHost, type AppendKnownHostOptions } from './known-hosts-append.js';
export { scanHostKey, type ScannedHostKey } from './host-key-scan.js';
export {
  decideHostKey, trustHint,
  type HostKeyPolicy, type HostKeyDecision, type HostKeyErrorDetails, type KnownLine,
} from './host-key-check.js';
export { parseKnownHosts, readKnownHosts, type KnownHosts, type KnownHostEntry } from './known-hosts.js';
export { fingerprintOf, keyTypeOf, displayKeyType, publicKeyText } from './host-key.js';
export { knownHostsName } from './host-patterns.js';
export { routeSourceAddress } from './route-source.js';
export { isPermanentFailure } from './ssh-link.js';
export type { AuthAttempt, AuthFailureDetails } from './auth.js';
export { DEFAULT_RECONNECT, type ReconnectPolicy } from './backoff.js';
