// A stand-in supervisor for the recovery tests: starts process trees with ProcessExecutor, prints
// their pids as one JSON line, then idles until the test SIGKILLs it. Bundled with esbuild by the
// test (plain Node cannot run .ts). argv: <stateDir> <projectDir>
import { join } from 'node:path';
import type { ServiceConfig } from '../../../../shared/config-types.js';
import type { ExecutorContext } from '../../../core/executor.js';
import { ProcessExecutor } from '../process-executor.js';

const [stateDir, dir] = process.argv.slice(2);
const project = { name: 'fake', file: join(dir, 'services.yaml'), dir, services: [] };

function service(name: string, script: string): ServiceConfig {
  return {
    name,
    target: { type: 'Process', binary: '/bin/sh', args: ['-c', script], env: {}, working_dir: dir, ports: [] },
    dependencies: [],
    restart: { policy: 'no', max_retries: 0, backoff_ms: 100, max_backoff_ms: 1000 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 1000,
  };
}

const SERVICES = [
  // a tree with a grandchild and a SIGTERM-ignoring branch
  service('tree', "sh -c 'sleep 1005 & wait' & sh -c 'trap \"\" TERM; sleep 1006 & wait' & echo ready; wait"),
  service('solo', 'echo ready; exec sleep 1007'),
  // leader exits on its own once the supervisor is gone: its child lingers in the group
  service('leaver', 'sleep 1008 & echo ready; sleep 2; exit 0'),
];

const ex = new ProcessExecutor();
const pids: Record<string, number> = {};
await Promise.all(SERVICES.map(async (svc) => {
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const ctx: ExecutorContext = {
    project,
    stateDir,
    injectedEnv: {},
    signal: new AbortController().signal,
    log: (stream, chunk) => {
      if (stream === 'stdout' && String(chunk).includes('ready')) ready();
    },
    progress: () => {},
  };
  const inst = await ex.start(svc, ctx);
  pids[svc.name] = inst.pid!;
  await isReady;
}));
// As ServiceManager.start does before it reports services ready: the records are written just
// behind the spawns, and this is the moment the test may SIGKILL us.
await ex.flush(stateDir);
process.stdout.write(`${JSON.stringify(pids)}\n`);
setInterval(() => {}, 60_000);
