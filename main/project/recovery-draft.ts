// Unsaved edits survive the process that held them: after every change of a dirty draft its text
// is written to the project's state directory, and removed once the draft is saved or reverted.
// The next session of the same file offers it back. Writes are atomic (a kill mid-write leaves
// the previous draft, never half a file) but not fsynced: they guard against the supervisor
// going away (`harness down`, a crash, a killed terminal), not against the machine losing power.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../os/atomic-write.js';

export const RECOVERY_FILE = 'unsaved-draft.json';

export interface RecoveryRecord {
  version: 1;
  /** The services.yaml the draft belongs to. */
  file: string;
  /** Hash of the file on disk the draft was based on: a different one now means the file changed since. */
  baseHash: string;
  text: string;
  savedAt: number;
}

export class RecoveryStore {
  readonly path: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(stateDir: string, private readonly file: string) {
    this.path = join(stateDir, RECOVERY_FILE);
  }

  async read(): Promise<RecoveryRecord | null> {
    try {
      const r = JSON.parse(await readFile(this.path, 'utf8')) as Partial<RecoveryRecord>;
      if (r.version !== 1 || r.file !== this.file || typeof r.text !== 'string' || typeof r.baseHash !== 'string') return null;
      return { version: 1, file: r.file, baseHash: r.baseHash, text: r.text, savedAt: Number(r.savedAt) || 0 };
    } catch {
      return null;
    }
  }

  /** Writes happen in call order; resolves once this one is on disk. */
  write(text: string, baseHash: string): Promise<void> {
    const record: RecoveryRecord = { version: 1, file: this.file, baseHash, text, savedAt: Date.now() };
    return this.queue(() => writeFileAtomic(this.path, JSON.stringify(record), { mode: 0o600, durable: false }));
  }

  clear(): Promise<void> {
    return this.queue(() => rm(this.path, { force: true }));
  }

  private queue(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn, fn);
    // A failed write must not poison the next one; the caller sees its own failure.
    this.chain = next.catch(() => undefined);
    return next;
  }
}
