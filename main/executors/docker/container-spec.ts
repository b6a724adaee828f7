// The container a service should have: engine create options plus the config hash that says
// whether an existing container still matches (Compose's convergence rule).
import type Docker from 'dockerode';
import type { DockerTarget, ServiceConfig } from '../../../shared/config-types.js';
import type { ImageRef } from './images.js';
import { configHash, containerName, LABEL_CONFIG_HASH, LABEL_FILE, LABEL_PROJECT, LABEL_SERVICE, volumeName } from './labels.js';
import { parsePorts, portBindings, type PortMapping } from './ports.js';
import { parseVolumes, type VolumeMount } from './volumes.js';

/** Lets containers reach processes on this machine by a stable name, whatever the bridge's IP. */
export const HOST_GATEWAY_ALIAS = 'host.docker.internal';

export interface ContainerPlan {
  name: string;
  hash: string;
  ports: PortMapping[];
  volumes: VolumeMount[];
  /** Engine names of the named volumes to create (labelled) before the container. */
  namedVolumes: string[];
  create: Docker.ContainerCreateOptions;
}

export interface PlanInput {
  project: string;
  file: string;
  network: string;
  service: ServiceConfig;
  injectedEnv: Record<string, string>;
  image: ImageRef;
}

function dockerTarget(service: ServiceConfig): DockerTarget {
  if (service.target.type !== 'Docker') throw new Error(`service "${service.name}" is not a Docker service`);
  return service.target;
}

export function planContainer(input: PlanInput): ContainerPlan {
  const { project, service } = input;
  const target = dockerTarget(service);
  const ports = parsePorts(target.ports, service.name);
  const volumes = parseVolumes(target.volumes, service.name);
  // Injected <DEP>_ADDR/<DEP>_PORT go under the service's own env: its own values win.
  const env = { ...input.injectedEnv, ...target.env };
  const name = containerName(project, service.name);
  const hash = configHash({
    image: input.image.name,
    imageId: input.image.id,
    command: target.command ?? null,
    // Left out of the hash when unset, so containers created before `entrypoint` existed still match.
    entrypoint: target.entrypoint,
    env,
    ports,
    volumes,
    network: input.network,
  });
  const { exposed, bindings } = portBindings(ports);
  const mounts: Docker.MountConfig = volumes.map((v) =>
    v.kind === 'bind'
      ? { Type: 'bind' as const, Source: v.source, Target: v.target, ReadOnly: v.readOnly }
      : v.kind === 'volume'
        ? { Type: 'volume' as const, Source: volumeName(project, v.name), Target: v.target, ReadOnly: v.readOnly }
        : { Type: 'volume' as const, Source: '', Target: v.target, ReadOnly: v.readOnly },
  );
  const create: Docker.ContainerCreateOptions = {
    name,
    Image: input.image.name,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [LABEL_PROJECT]: project,
      [LABEL_SERVICE]: service.name,
      [LABEL_CONFIG_HASH]: hash,
      [LABEL_FILE]: input.file,
    },
    ExposedPorts: exposed,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    HostConfig: {
      NetworkMode: input.network,
      PortBindings: bindings,
      Mounts: mounts,
      ExtraHosts: [`${HOST_GATEWAY_ALIAS}:host-gateway`],
    },
    NetworkingConfig: {
      EndpointsConfig: { [input.network]: { Aliases: [service.name] } },
    },
  };
  if (target.command && target.command.length > 0) create.Cmd = target.command;
  // The engine resets an image's ENTRYPOINT when given exactly [""] (Compose's `entrypoint: []`).
  if (target.entrypoint) create.Entrypoint = target.entrypoint.length > 0 ? target.entrypoint : [''];
  return {
    name,
    hash,
    ports,
    volumes,
    namedVolumes: volumes.flatMap((v) => (v.kind === 'volume' ? [volumeName(project, v.name)] : [])),
    create,
  };
}
