// One long-lived channel per host and project: watch.sh reports every run directory of the
// project (state, run id, log sizes) whenever something changes, polled on the host every
// `intervalMs`. sshd allows 10 sessions per connection, so a channel per service (50 services!)
// is not an option; this one replaces them all. Log bytes themselves are read by offset over the
// host's one SFTP session (log-follower.ts).
import type { SshHost } from '../../ssh/index.js';
import { shellQuote, type RemoteProcess } from '../../ssh/index.js';
import { parseWatchBlock, type RunSnapshot } from './run-files.js';

export interface WatchHandlers {
  snapshot(runs: Map<string, RunSnapshot>): void;
}

/** Runs watch.sh until it ends (the connection drops) or `signal` aborts, feeding each block. */
export async function runWatch(
  host: SshHost,
  script: string,
  root: string,
  opts: { intervalMs: number; signal?: AbortSignal },
  handlers: WatchHandlers,
): Promise<void> {
  const argv = ['sh', script, root, (opts.intervalMs / 1000).toFixed(3)];
  const proc: RemoteProcess = await host.spawnLine(shellQuote(argv), { signal: opts.signal });
  let buffer = '';
  let block: string[] | null = null;
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line === 'BEGIN') block = [];
      else if (line === 'END' && block) {
        const runs = parseWatchBlock(block);
        block = null;
        handlers.snapshot(runs);
      } else if (block && line !== '') block.push(line);
    }
  });
  proc.stderr.resume();
  const onAbort = () => void proc.close();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await proc.exited;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** One snapshot of a project's run directories on a host (recovery, `harness down`). */
export async function listRuns(host: SshHost, script: string, root: string, signal?: AbortSignal): Promise<Map<string, RunSnapshot>> {
  const r = await host.exec(['sh', script, root, '0', 'once'], { signal, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`listing ${root} on ${host.key} failed (exit ${r.code ?? r.signal}): ${r.stderr.trim()}`);
  const lines = r.stdout.split('\n');
  const begin = lines.indexOf('BEGIN');
  const end = lines.indexOf('END', begin);
  return begin < 0 || end < 0 ? new Map() : parseWatchBlock(lines.slice(begin + 1, end).filter((l) => l !== ''));
}
