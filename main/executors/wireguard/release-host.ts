// One service's releases on its host, as the deploy helper (deploy-scripts.ts) reports and
// changes them: each method is one exec of `sh deploy-<hash>.sh <command> …` over the shared
// connection, with every argument its own quoted word.
import { posix } from 'node:path';
import { HarnessError } from '../../../shared/errors.js';
import type { SshHost } from '../../ssh/index.js';
import type { HostSession } from '../remote-lan/index.js';
import { SCRIPTS_DIR } from '../remote-lan/index.js';
import { DEPLOY_SCRIPT, DEPLOY_SCRIPTS } from './deploy-scripts.js';

export interface HostRelease {
  id: string;
  /** The content sha256 of the release (its `.sha256` file), null when that file is missing. */
  sha: string | null;
  hasStop: boolean;
  hasHealth: boolean;
}

export interface HostReleaseState {
  /** The service's directory exists. */
  exists: boolean;
  current: string | null;
  previous: string | null;
  /** `harness rollback` pinned `release` while the configured package is `sha`. */
  pinned: { release: string; sha: string } | null;
  /** The id of a deploy whose switch never ended (a journal is there). */
  journal: string | null;
  releases: HostRelease[];
  /** Free bytes where releases go, when df answered. */
  availBytes: number | null;
  /** Whether the login user can write there (the nearest existing directory). */
  writable: { ok: boolean; dir: string };
  gnuTar: boolean;
  /** The service's run directory: a run alive, and the directory it was started in. */
  run: { alive: boolean; workingDir: string };
}

export function parseHostState(text: string): HostReleaseState {
  const s: HostReleaseState = {
    exists: false, current: null, previous: null, pinned: null, journal: null, releases: [], availBytes: null,
    writable: { ok: false, dir: '' }, gnuTar: false, run: { alive: false, workingDir: '' },
  };
  const orNull = (v: string | undefined) => (v && v !== '-' ? v : null);
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    const w = rest.split(' ');
    switch (key) {
      case 'svc': s.exists = w[0] === '1'; break;
      case 'current': s.current = orNull(w[0]); break;
      case 'previous': s.previous = orNull(w[0]); break;
      case 'pinned': s.pinned = orNull(w[0]) && w[1] ? { release: w[0], sha: w[1] } : null; break;
      case 'journal': s.journal = orNull(w[0]); break;
      case 'release': s.releases.push({ id: w[0], sha: orNull(w[1]), hasStop: w[2] === '1', hasHealth: w[3] === '1' }); break;
      case 'avail': s.availBytes = /^\d+$/.test(w[0] ?? '') ? Number(w[0]) * 1024 : null; break;
      case 'writable': s.writable = { ok: w[0] === '1', dir: rest.slice(2) }; break;
      case 'tar': s.gnuTar = w[0] === 'gnu'; break;
      case 'run': s.run = { alive: w[0] === '1', workingDir: rest.slice(2) }; break;
    }
  }
  s.releases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return s;
}

/** Tenths of a second, as the helper counts them (rounded up, at least one). */
export const tenths = (ms: number) => Math.max(1, Math.ceil(ms / 100));

const installed = new WeakMap<HostSession, Promise<void>>();

/** Installs the helper scripts in the project's scripts directory on the host, once per session. */
export function ensureDeployScripts(session: HostSession, signal?: AbortSignal): Promise<void> {
  let p = installed.get(session);
  if (!p) {
    p = (async () => {
      await session.prepare(signal);
      const dir = posix.join(session.root, SCRIPTS_DIR);
      const files = session.host.files;
      await Promise.all(DEPLOY_SCRIPTS.map(async (s) => {
        const path = posix.join(dir, s.name);
        if (!(await files.stat(path, { signal }))) await files.writeFile(path, s.text, { mode: 0o600, signal });
      }));
    })();
    installed.set(session, p);
    p.catch(() => installed.delete(session));
  }
  return p;
}

export class ReleaseHost {
  constructor(
    readonly host: SshHost,
    /** `<install_root>/<service>`, absolute. */
    readonly svcDir: string,
    /** The service's run directory (env, pids, logs). */
    readonly runDir: string,
    /** The project's scripts directory on the host. */
    readonly scriptsDir: string,
  ) {}

  releaseDir(id: string): string {
    return posix.join(this.svcDir, 'releases', id);
  }

  private async run(command: string, args: readonly string[], opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string> {
    const script = posix.join(this.scriptsDir, DEPLOY_SCRIPT.name);
    const r = await this.host.exec(['sh', script, command, ...args], { signal: opts.signal, timeoutMs: opts.timeoutMs ?? 60_000, maxOutputBytes: 1024 * 1024 });
    if (r.code !== 0) {
      throw new HarnessError('INTERNAL', `the deploy helper (${command}) failed on ${this.host.key} (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(0, 400)}`);
    }
    return r.stdout;
  }

  /** Makes releases/, incoming/ and data/ (0700), removes what interrupted transfers and
   * extractions left, and reports the state. `error`: why the directories could not be made. */
  async prepare(signal?: AbortSignal): Promise<{ state: HostReleaseState; error: string | null }> {
    const out = await this.run('prepare', [this.svcDir, this.runDir], { signal });
    const nl = out.indexOf('\n');
    const first = out.slice(0, nl < 0 ? undefined : nl);
    return { state: parseHostState(out.slice(nl + 1)), error: first === 'E none' ? null : first.replace(/^E mkdir ?/, '') || 'mkdir failed' };
  }

  async state(signal?: AbortSignal): Promise<HostReleaseState> {
    return parseHostState(await this.run('state', [this.svcDir, this.runDir], { signal }));
  }

  incomingPart(name: string): string {
    return posix.join(this.svcDir, 'incoming', `${name}.tar.part`);
  }

  /** 'ok', or the reason the transferred file does not check. */
  async verify(name: string, fileSha256: string, signal?: AbortSignal): Promise<string> {
    return (await this.run('verify', [this.svcDir, name, fileSha256], { signal, timeoutMs: 600_000 })).trim();
  }

  async extract(name: string, id: string, gnuTar: boolean, signal?: AbortSignal): Promise<string> {
    return (await this.run('extract', [this.svcDir, name, id, gnuTar ? 'gnu' : 'other'], { signal, timeoutMs: 600_000 })).trim();
  }

  /** Journal + watchdog. Resolves with whether a run was alive in the run directory. */
  async begin(deploy: string, from: string | null, to: string, deadlineMs: number, stopSignal: string, graceMs: number, signal?: AbortSignal): Promise<{ wasRunning: boolean }> {
    const out = (await this.run('begin', [this.svcDir, this.runDir, deploy, from ?? '-', to, String(tenths(deadlineMs)), stopSignal.replace(/^SIG/, ''), String(tenths(graceMs))], {
      signal, timeoutMs: graceMs * 3 + 60_000,
    })).trim();
    if (!out.startsWith('ok ')) {
      const why = out.startsWith('E busy') ? `an earlier deploy (${out.slice(7)}) is still being restored there` : out;
      throw new HarnessError('CONFLICT', `cannot begin the switch on ${this.host.key}: ${why}`);
    }
    return { wasRunning: out === 'ok 1' };
  }

  async switchTo(from: string | null, to: string, signal?: AbortSignal): Promise<void> {
    const out = (await this.run('switch', [this.svcDir, from ?? '-', to], { signal })).trim();
    if (out !== 'ok') throw new HarnessError('INTERNAL', `switching ${this.svcDir}/current to ${to} on ${this.host.key} failed: ${out} (the host needs \`mv -T\`: GNU coreutils or BusyBox)`);
  }

  /** Runs the release's stop.sh for up to `graceMs`: 'none' (it has none), 'done N', 'timeout'. */
  async stopScript(releaseDir: string, graceMs: number, signal?: AbortSignal): Promise<string> {
    return (await this.run('stopsh', [this.runDir, releaseDir, String(tenths(graceMs))], { signal, timeoutMs: graceMs + 30_000 })).trim();
  }

  /** 'ok' once final; otherwise what the restore that came first printed. */
  async commit(deploy: string, signal?: AbortSignal): Promise<string> {
    return (await this.run('commit', [this.svcDir, deploy], { signal, timeoutMs: 90_000 })).trim();
  }

  /** Restores the release that was current before `deploy`; `startPrevious`: start it whether
   * or not it ran before (the supervisor decided the new one failed). Returns the restore's
   * result line, or 'pending' when it did not end within `waitMs`. */
  async abort(deploy: string, stopSignal: string, graceMs: number, startPrevious: boolean, waitMs: number, signal?: AbortSignal): Promise<string> {
    return (await this.run('abort', [this.svcDir, this.runDir, deploy, stopSignal.replace(/^SIG/, ''), String(tenths(graceMs)), String(tenths(waitMs)), startPrevious ? '1' : '0'], {
      signal, timeoutMs: waitMs + 30_000,
    })).trim();
  }

  async links(current: string, previous: string | null, signal?: AbortSignal): Promise<void> {
    const out = (await this.run('links', [this.svcDir, current, previous ?? '-'], { signal })).trim();
    if (out !== 'ok') throw new HarnessError('INTERNAL', `switching the links of ${this.svcDir} on ${this.host.key} failed: ${out}`);
  }

  async remove(ids: readonly string[], signal?: AbortSignal): Promise<void> {
    if (ids.length > 0) await this.run('remove', [this.svcDir, ...ids], { signal, timeoutMs: 300_000 });
  }
}
