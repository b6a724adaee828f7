// A stand-in supervisor for the adoption test: starts the services given as JSON on argv[2] with
// a DockerExecutor, prints one JSON line with their container ids, then idles until it is killed
// (the test SIGKILLs it, as a crash would).
import { DockerExecutor } from '../docker-executor.js';
import type { ProjectConfig } from '../../../../shared/config-types.js';

async function main(): Promise<void> {
  const project = JSON.parse(process.argv[2]) as ProjectConfig;
  const exec = new DockerExecutor();
  const ids: Record<string, string> = {};
  for (const service of project.services) {
    const instance = await exec.start(service, {
      project,
      stateDir: '/tmp',
      injectedEnv: {},
      log: () => undefined,
      progress: () => undefined,
      signal: new AbortController().signal,
    });
    ids[service.name] = instance.id;
  }
  process.stdout.write(`${JSON.stringify(ids)}\n`);
  setInterval(() => undefined, 60_000);
}

main().catch((err: unknown) => {
  process.stderr.write(`driver failed: ${(err as Error).message}\n`);
  process.exit(1);
});
