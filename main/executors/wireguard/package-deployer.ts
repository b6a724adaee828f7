// The PackageDeployer: one deploy of a prepared package to one service on its host, each step a
// progress event (docs/packages.md, Deploying):
//   1. checked here (the caller's preparePackage, before anything is sent);
//   2. sent over the shared SSH connection (SFTP, many requests in flight) to incoming/, its
//      sha256 verified on the host — skipped when a release with the same content is there;
//   3. unpacked into a new releases/<id> (through releases/<id>.partial, never a directory that
//      holds files);
//   4. the env file (0600, the RemoteLan run directory) with the dependency addresses as the host
//      sees them;
//   5. the switch, as a transaction the host finishes by itself if this side goes away
//      (deploy-scripts.ts): the running release stopped (stop.sh, else the stop signal), `current`
//      renamed to the new release, start.sh launched under the RemoteLan wrapper, health awaited;
//      committed, or rolled back with the previous release started again.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { ServiceConfig, WireguardTarget } from '../../../shared/config-types.js';
import { formatBytes } from '../../../shared/byte-size.js';
import { HarnessError } from '../../../shared/errors.js';
import type { LogStream, ProgressEvent } from '../../../shared/events.js';
import type { SshHost } from '../../ssh/index.js';
import { envFileText, type HostSession, type RemoteRun, type RunSnapshot } from '../remote-lan/index.js';
import type { PreparedPackage } from './package-prep.js';
import { DEFAULT_KEEP_RELEASES, releaseId, releasesToPrune } from './package-format.js';
import { ensureDeployScripts, type HostRelease, type HostReleaseState, type ReleaseHost } from './release-host.js';

export interface ChosenRelease extends HostRelease {
  /** `<install_root>/<service>/releases/<id>` on the host. */
  dir: string;
}

export interface DeployRequest {
  service: ServiceConfig;
  target: WireguardTarget;
  /** services.yaml, for messages. */
  file: string;
  host: SshHost;
  session: HostSession;
  release: ReleaseHost;
  prepared: PreparedPackage;
  /** The config hash a run of `sha` gets (recovery adopts a run whose hash is the config's). */
  configHash(sha: string): string;
  /** The whole environment of a release's start.sh (what the env file holds). */
  env(release: ChosenRelease): Record<string, string>;
  /** Waits until the launched release is healthy: null when it is, else why it is not. */
  healthy(run: RemoteRun, release: ChosenRelease, signal: AbortSignal): Promise<string | null>;
  /** Longest time `healthy` may take (the host's watchdog waits that much longer). */
  healthBoundMs: number;
  /** A run of the service already running this release with this very config and environment
   * (left by an earlier supervisor, or by a rollback), taken over instead of restarted. */
  adopt(snapshot: RunSnapshot): RemoteRun;
  progress(p: Omit<ProgressEvent, 'service'>): void;
  log(stream: LogStream, chunk: Buffer): void;
  signal: AbortSignal;
  keepReleases?: number;
  /** A restart: the running release is replaced even when it is this very release. */
  restarting?: boolean;
}

export interface DeployResult {
  run: RemoteRun;
  release: ChosenRelease;
  /** The release that was current before (now `previous`), if any. */
  previous: string | null;
  /** A run already running this release was taken over; nothing was restarted. */
  adopted: boolean;
  /** The package was sent (false: a release with the same content was on the host). */
  transferred: boolean;
  /** `harness rollback` pinned this release (the configured package is the one rolled back from). */
  pinned: boolean;
}

/** Progress of the transfer at most this often (and at its end). */
const TRANSFER_EVENT_MS = 100;

export async function deployPackage(req: DeployRequest): Promise<DeployResult> {
  const { service, prepared, release: rh, session, signal } = req;
  const name = service.name;
  const where = req.host.key;
  const step = (message: string, extra: Partial<ProgressEvent> = {}) => req.progress({ task: 'deploy', message, ...extra });

  await ensureDeployScripts(session, signal);
  const { state, error } = await rh.prepare(signal);
  if (error) throw notWritable(req, state, error);

  const sha = prepared.written.tarSha256;
  let chosen: HostRelease | undefined;
  let pinned = false;
  if (state.pinned) {
    const hit = state.releases.find((r) => r.id === state.pinned!.release);
    if (state.pinned.sha === sha && hit) {
      chosen = hit;
      pinned = true;
      step(`release ${hit.id} is pinned by \`harness rollback\` (the package is the release rolled back from); deploy a changed package to replace it`);
    } else {
      await session.host.files.unlink(`${rh.svcDir}/pinned`, { signal }).catch(() => undefined);
    }
  }
  chosen ??= state.releases.find((r) => r.sha === sha);
  let transferred = false;
  if (chosen) {
    if (!pinned) step(`release ${chosen.id} is already on ${where} (same content sha256): nothing to send`);
  } else {
    const id = releaseId(sha);
    await send(req, state, id);
    chosen = { id, sha, hasStop: prepared.layout.stop !== undefined, hasHealth: prepared.layout.health !== undefined };
    transferred = true;
  }
  const target: ChosenRelease = { ...chosen, dir: rh.releaseDir(chosen.id) };
  const env = req.env(target);
  const hash = req.configHash(target.sha ?? sha);

  // Already running exactly this (release, config, environment): taken over, not restarted.
  if (!req.restarting && state.run.alive && state.run.workingDir === target.dir && !state.journal) {
    const snap = (await session.list(signal)).get(name);
    const envNow = await session.host.files.readFile(`${rh.runDir}/env`, { signal }).then((b) => b.toString('utf8'), () => null);
    if (snap?.state.kind === 'run' && snap.configHash === hash && envNow === envFileText(env, { service: name, file: req.file })) {
      const run = req.adopt(snap);
      step(`release ${target.id} is current and running with this config: taken over, not restarted`, { done: true });
      return { run, release: target, previous: state.previous, adopted: true, transferred, pinned };
    }
  }
  return switchTo(req, state, target, env, hash, { transferred, pinned });
}

/** Steps 2 and 3: the package into releases/<id>. */
async function send(req: DeployRequest, state: HostReleaseState, id: string): Promise<void> {
  const { prepared, release: rh, signal } = req;
  const name = req.service.name;
  const w = prepared.written;
  const need = w.bytes + prepared.fileBytes + 1024 * 1024;
  if (state.availBytes !== null && state.availBytes < need) throw diskFull(req, state.availBytes, need);

  const total = w.bytes;
  let last = 0;
  req.progress({ task: 'transfer', item: id, message: `sending ${basename(prepared.source)} (${formatBytes(total)}) to ${req.host.key}`, current: 0, total });
  const part = rh.incomingPart(w.tarSha256);
  let sent = 0;
  try {
    await req.host.files.fastPut(w.file, part, {
      atomic: false,
      mode: 0o600,
      signal,
      onProgress: ({ transferred }) => {
        sent = transferred;
        const now = Date.now();
        if (now - last < TRANSFER_EVENT_MS && transferred < total) return;
        last = now;
        req.progress({ task: 'transfer', item: id, message: 'sending', current: transferred, total });
      },
    });
  } catch (err) {
    throw await transferFailed(req, err, sent, total);
  }
  req.progress({ task: 'transfer', item: id, message: `sent ${formatBytes(total)}`, current: total, total, done: true });

  req.progress({ task: 'deploy', message: `verifying the sha256 of ${id} on ${req.host.key}` });
  const verified = await rh.verify(w.tarSha256, w.sha256, signal);
  if (verified !== 'ok') {
    throw new HarnessError('INTERNAL', `${name}: the package arrived damaged on ${req.host.key} (${verified.replace(/^E /, '')}; expected sha256 ${w.sha256}); nothing was switched, start again to send it again`, { kind: 'verify' });
  }
  req.progress({ task: 'deploy', message: `unpacking ${id}` });
  const out = await rh.extract(w.tarSha256, id, state.gnuTar, signal);
  if (out !== 'ok') {
    if (/No space left|E write/.test(out)) {
      const now = await rh.state(signal).catch(() => null);
      throw diskFull(req, now?.availBytes ?? 0, prepared.fileBytes, out.replace(/^E /, ''));
    }
    throw new HarnessError('INTERNAL', `${name}: unpacking ${id} on ${req.host.key} failed: ${out.replace(/^E /, '')}; the partial release was removed and nothing was switched`, { kind: 'extract' });
  }
}

/** Step 4 and 5: the env file, then the switch transaction. */
async function switchTo(
  req: DeployRequest,
  state: HostReleaseState,
  target: ChosenRelease,
  env: Record<string, string>,
  hash: string,
  facts: { transferred: boolean; pinned: boolean },
): Promise<DeployResult> {
  const { service, release: rh, session, signal } = req;
  const name = service.name;
  const sig = service.stop_signal;
  const grace = service.stop_grace_period_ms;
  const from = state.current;
  const deploy = randomBytes(4).toString('hex');
  // stop.sh, the signal and SIGKILL, the launch, the health wait, and slack for round trips.
  const deadlineMs = 3 * grace + req.healthBoundMs + 30_000;
  const old = from ? state.releases.find((r) => r.id === from) : undefined;
  const oldDir = state.run.workingDir;

  req.progress({ task: 'deploy', message: `switching to ${target.id}${from && from !== target.id ? ` (from ${from})` : ''}` });
  const { wasRunning } = await rh.begin(deploy, from, target.id, deadlineMs, sig, grace, signal);
  let decided = false;
  const restore = async (startPrevious: boolean) => {
    decided = true;
    return rh.abort(deploy, sig, grace, startPrevious, 3 * grace + 20_000, AbortSignal.timeout(3 * grace + 60_000));
  };
  try {
    if (wasRunning) {
      req.progress({ task: 'deploy', message: `stopping the running release${from ? ` ${from}` : ''}` });
      if (old?.hasStop && oldDir) await rh.stopScript(oldDir, grace, signal);
      await session.stopRun(name, sig, grace);
    }
    await rh.switchTo(from, target.id, signal);
    req.progress({ task: 'deploy', message: `starting ${target.id}` });
    const run = await session.launch({
      service: name, binary: './start.sh', args: [], env, workingDir: target.dir, configHash: hash,
      log: req.log, file: req.file, signal,
    });
    req.progress({ task: 'deploy', message: `waiting for ${target.id} to be healthy` });
    const why = await req.healthy(run, target, signal);
    if (why !== null) {
      const result = await restore(true);
      throw new HarnessError('UNAVAILABLE', `${name}: the deploy of release ${target.id} failed: ${why}; ${describeRestore(result, from)}`, {
        kind: 'deploy-failed', release: target.id, restored: from,
      });
    }
    decided = true;
    const committed = await rh.commit(deploy, AbortSignal.timeout(90_000));
    if (committed !== 'ok') {
      throw new HarnessError('TIMEOUT', `${name}: release ${target.id} became healthy only after the deploy's deadline; ${describeRestore(committed, from)}`, { kind: 'deploy-late' });
    }
    await prune(req, state, target.id, from).catch((err: Error) => req.log('stderr', Buffer.from(`harness: pruning old releases failed: ${err.message}\n`)));
    req.progress({ task: 'deploy', message: `${target.id} is current and healthy${facts.transferred ? '' : ' (nothing sent)'}`, done: true });
    return { run, release: target, previous: from && from !== target.id ? from : state.previous, adopted: false, ...facts };
  } catch (err) {
    if (!decided) {
      const cancelled = signal.aborted;
      // Ctrl-C, a stop, a failed launch: the host puts the previous release back now (as it
      // was: running or not). A lost connection cannot be told: its watchdog does it at the
      // deadline.
      const result = await restore(false).catch((e: Error) => `pending (${e.message})`);
      const what = result.startsWith('pending')
        ? `the host restores ${from ?? 'the previous state'} by itself within ${Math.ceil(deadlineMs / 1000)} s of the start of the switch (its watchdog)`
        : describeRestore(result, from);
      if (cancelled) throw new HarnessError('CANCELLED', `${name}: the deploy of ${target.id} was cancelled; ${what}`);
      throw new HarnessError(err instanceof HarnessError ? err.code : 'INTERNAL', `${(err as Error).message}; ${what}`, err instanceof HarnessError ? err.details : undefined);
    }
    throw err;
  }
}

/** What a restore line means for the user. */
export function describeRestore(result: string, from: string | null): string {
  if (result.startsWith('rolled-back')) {
    const words = result.split(' ');
    const restored = words[1] && words[1] !== '-' ? words[1] : null;
    if (!restored) return 'rolled back: there is no previous release, so nothing runs';
    if (words[2] !== 'started') return `rolled back: ${restored} is current again`;
    const launch = words.slice(3);
    if (launch[1] === 'S') return `rolled back: ${restored} is current again and was started (pid ${launch[2]})`;
    return `rolled back: ${restored} is current again, but starting it failed (${launch.slice(1).join(' ') || 'no output'})`;
  }
  if (result === 'ok') return `${from ?? 'it'} was not restored (the switch had been committed)`;
  return `the restore of ${from ?? 'the previous release'} did not report back (${result})`;
}

async function prune(req: DeployRequest, state: HostReleaseState, current: string, previous: string | null): Promise<void> {
  const ids = [...new Set([...state.releases.map((r) => r.id), current])];
  const drop = releasesToPrune(ids, current, previous && previous !== current ? previous : state.previous ?? undefined, req.keepReleases ?? DEFAULT_KEEP_RELEASES);
  await req.release.remove(drop, req.signal);
}

function notWritable(req: DeployRequest, state: HostReleaseState, error: string): HarnessError {
  const t = req.target;
  return new HarnessError(
    'UNAVAILABLE',
    `${req.service.name}: user ${t.user} cannot create ${req.release.svcDir} on ${req.host.key} (${error || `${state.writable.dir} is not writable`}); ` +
      `set install_root in ${req.file} to a directory it can write (e.g. ~/harness), or create ${req.release.svcDir} for it`,
    { kind: 'install-root', dir: req.release.svcDir },
  );
}

function diskFull(req: DeployRequest, avail: number, need: number, detail?: string): HarnessError {
  return new HarnessError(
    'UNAVAILABLE',
    `${req.service.name}: not enough space on ${req.host.key} for the release: ${req.release.svcDir} has ${formatBytes(avail)} free, the package needs ${formatBytes(need)}` +
      `${detail ? ` (${detail.trim()})` : ''}; nothing was switched. Free space there or point install_root at a larger disk (in ${req.file})`,
    { kind: 'disk-full', availBytes: avail, needBytes: need },
  );
}

async function transferFailed(req: DeployRequest, err: unknown, sent: number, total: number): Promise<HarnessError> {
  const name = req.service.name;
  const e = err instanceof HarnessError ? err : new HarnessError('INTERNAL', (err as Error).message);
  if (e.code === 'CANCELLED' || req.signal.aborted) {
    return new HarnessError('CANCELLED', `${name}: the transfer to ${req.host.key} was cancelled after ${formatBytes(sent)} of ${formatBytes(total)}; nothing was switched`);
  }
  if (e.code !== 'UNAVAILABLE') {
    // A refused write: a full disk says so in the free space left.
    const now = await req.release.state(AbortSignal.timeout(10_000)).catch(() => null);
    if (now?.availBytes !== null && now?.availBytes !== undefined && now.availBytes < total - sent + 1024 * 1024) {
      return diskFull(req, now.availBytes, total + req.prepared.fileBytes, e.message);
    }
  }
  return new HarnessError(
    'UNAVAILABLE',
    `${name}: the transfer to ${req.host.key} stopped after ${formatBytes(sent)} of ${formatBytes(total)}: ${e.message}; nothing was switched (the previous release stays current); start again to retry`,
    { kind: 'transfer', sent, total },
  );
}
