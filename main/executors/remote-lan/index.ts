// Public surface of the RemoteLan executor, for the registry, the CLI (`harness trust`, `down`)
// and the Wireguard executor, which reuses the remote run directories, the launch wrapper, the
// watch and log following and the recovery of what runs on a host (see docs/remote.md).
export { RemoteLanExecutor, remoteTarget, type RemoteLanExecutorOptions } from './remote-lan-executor.js';
export { SharedSshPool } from './shared-ssh-pool.js';
export { HostSession, type HostSessionOptions, type LaunchSpec } from './host-session.js';
export { remoteLocationResolvers, type RemoteResolverDeps } from './location-resolvers.js';
export { RemoteRun, type RunIdentity } from './remote-run.js';
export { LogFollower, type LogFollowerOptions, type Offsets } from './log-follower.js';
export { RemoteStateStore, readRemoteState, remoteStatePath, REMOTE_STATE_FILE, type HostRecord, type ServiceRecord, type TunnelRecord } from './remote-state-store.js';
export { configHashOf, envFileText, exitInfoOf, parseWatchBlock, projectRoot, runDirOf, REMOTE_STATE_ROOT, SCRIPTS_DIR, type RunSnapshot, type RunState } from './run-files.js';
export {
  CHECK_SH, KILL_SH, LAUNCH_SH, MEMBERS_FUNCTION, SIGNAL_SH, STAT_FUNCTIONS, WATCH_SCRIPT, WATCH_SH, WRAPPER_SCRIPT, WRAPPER_SH, installedScript, type InstalledScript,
} from './remote-scripts.js';
export { TunnelManager, localTunnelInfo, remoteTunnelInfo, type Endpoint as TunnelEndpoint } from './tunnel-manager.js';
export { RemoteListeners } from './remote-listeners.js';
export { HostKeyPrompts } from './host-key-prompts.js';
export type { SshPoolOptions, HostKeyPolicy } from '../../ssh/index.js';
