// What the Docker executor adds to the topology view: the project network's subnet and gateway as
// the engine has them, a reason while it does not exist or the engine is away, and nothing at all
// (no engine call) for a project without Docker services.
import { afterAll, describe, expect, it } from 'vitest';
import { service } from '../../core/test-support/fixtures.js';
import { DockerExecutor } from './docker-executor.js';
import { DockerEngine } from './engine.js';
import { downProject } from './project-ops.js';
import { dockerService, projectOf, uniqueProject } from './test-support/fixtures.js';
import { dockerSkipReason } from './test-support/test-images.js';

const skip = await dockerSkipReason();
const engine = new DockerEngine();
const project = uniqueProject('topo');

describe.skipIf(skip !== null)(`DockerExecutor.topology on a real engine${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(async () => {
    await downProject(project, { removeVolumes: true }, engine).catch(() => undefined);
  }, 60_000);

  it('names the network with a reason until it exists, then gives the subnet and gateway the engine has', async () => {
    const exec = new DockerExecutor({ engine });
    const proj = projectOf(project, [dockerService('web'), service('api', { deps: ['web'] })]);
    const before = await exec.topology(proj);
    expect(before?.dockerNetworks).toEqual([{ name: `harness-${project}`, reason: expect.stringContaining('not created yet') }]);

    await exec.network(project);
    const after = await exec.topology(proj);
    const info = await engine.docker.getNetwork(`harness-${project}`).inspect();
    const ipam = info.IPAM?.Config?.[0];
    expect(ipam?.Subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(after?.dockerNetworks).toEqual([{ name: `harness-${project}`, subnet: ipam?.Subnet, gateway: ipam?.Gateway }]);
  }, 60_000);

  it('says the engine is not reachable, naming why', async () => {
    const exec = new DockerExecutor({ engine: new DockerEngine({ DOCKER_HOST: 'unix:///nonexistent/harness-test-docker.sock' }) });
    const got = await exec.topology(projectOf(project, [dockerService('web')]));
    expect(got?.dockerNetworks?.[0]).toMatchObject({ name: `harness-${project}`, reason: expect.stringMatching(/^Docker engine not reachable: .*nonexistent/) });
  }, 30_000);
});

describe('DockerExecutor.topology without Docker services', () => {
  it('adds nothing and never asks the engine', async () => {
    // An engine at a path that does not exist would answer with a reason if it were asked.
    const exec = new DockerExecutor({ engine: new DockerEngine({ DOCKER_HOST: 'unix:///nonexistent/harness-test-docker.sock' }) });
    expect(await exec.topology(projectOf('p', [service('api')]))).toBeUndefined();
  });
});
