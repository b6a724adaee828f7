// Public surface of the Docker executor, for the supervisor wiring, the CLI's `down` and benches.
export { DockerExecutor, type DockerExecutorOptions, type LiveContainer } from './docker-executor.js';
export { DockerEngine, engineEndpoint, PING_TIMEOUT_MS } from './engine.js';
export { MultiplexDemuxer, encodeFrame, type DemuxStream, type FrameSink } from './demux.js';
export { downProject, listProjectContainers, removeOrphans, type DownReport, type ProjectContainer } from './project-ops.js';
export { containerName, networkName, volumeName, LABEL_CONFIG_HASH, LABEL_FILE, LABEL_PROJECT, LABEL_SERVICE } from './labels.js';
export { DEFAULT_HOST_IP, parsePort, type PortMapping } from './ports.js';
export { parseVolume, type VolumeMount } from './volumes.js';
