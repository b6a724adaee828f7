// A stand-in supervisor for the spawn-window test: starts 20 services as one burst, the way a
// start request launches every service whose dependencies are ready, and is SIGKILLed by the test
// somewhere inside that burst. Prints "go" just before the first spawn and "done" after the last.
// argv: <stateDir> <projectDir> <tag>   (the tag makes the test's processes recognisable)
import { join } from 'node:path';
import type { ServiceConfig } from '../../../../shared/config-types.js';
import type { ExecutorContext } from '../../../core/executor.js';
import { ProcessExecutor } from '../process-executor.js';

const [stateDir, dir, tag] = process.argv.slice(2);
const project = { name: 'burst', file: join(dir, 'services.yaml'), dir, services: [] };

function service(i: number): ServiceConfig {
  return {
    name: `s${i}`,
    // A leader with a child, so a group (not only a pid) must be found and stopped.
    target: { type: 'Process', binary: '/bin/sh', args: ['-c', `sleep ${tag}.${i} & wait`], env: {}, working_dir: dir, ports: [] },
    dependencies: [],
    restart: { policy: 'no', max_retries: 0, backoff_ms: 100, max_backoff_ms: 1000 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 1000,
  };
}

const ex = new ProcessExecutor();
const ctx: ExecutorContext = {
  project,
  stateDir,
  injectedEnv: {},
  signal: new AbortController().signal,
  log: () => {},
  progress: () => {},
};
process.stdout.write('go\n');
await Promise.all(Array.from({ length: 20 }, (_, i) => ex.start(service(i), ctx)));
process.stdout.write('done\n');
setInterval(() => {}, 60_000);
