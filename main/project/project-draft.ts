// The open document as a draft: what the user edits (graph gestures, the inspector, the source
// panel), its undo history, and the file on disk it was loaded from or last saved to. Nothing here
// touches a running service; the session decides what the file on disk means for the runtime.
//
// Dirty means "the draft's text differs from the file's": undoing back to the saved text makes it
// clean again, and undo after a save makes it dirty again.
import type { ConfigEdit } from '../../shared/api.js';
import type { ConfigProblem } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { editLabel } from '../../shared/graph/edit-label.js';
import { parseProject } from '../config/index.js';
import { applyConfigEdits, loadConfig, type Loaded } from './config-io.js';
import { DraftHistory } from './draft-history.js';
import { hashText, MISSING } from './disk-text.js';

export interface DiskState {
  /** The text last read from or written to the file; null when the file does not exist. */
  text: string | null;
  hash: string;
  /** That text, loaded: the configuration the file means. */
  loaded: Loaded;
}

export interface CheckResult {
  problems: ConfigProblem[];
  /** The edits themselves were refused (e.g. a rename to a taken name), with the reason. */
  refused?: string;
}

export class ProjectDraft {
  private history: DraftHistory;
  private loaded: Loaded;
  private diskState: DiskState;
  /** Changes whenever the draft's text does; the source panel refetches on a new revision. */
  revision = 0;

  private constructor(
    readonly file: string,
    loaded: Loaded,
    exists: boolean,
  ) {
    this.loaded = loaded;
    const text = loaded.document.text;
    this.diskState = { text: exists ? text : null, hash: exists ? hashText(text) : MISSING, loaded };
    this.history = new DraftHistory(text);
  }

  static async load(path: string, env: NodeJS.ProcessEnv): Promise<ProjectDraft> {
    const loaded = await loadConfig(path, env);
    // An unreadable file loads as empty text with a problem; its hash must not match "missing".
    const exists = !loaded.problems.some((p) => p.line === 0 && /file not found/.test(p.message));
    return new ProjectDraft(loaded.document.file, loaded, exists);
  }

  /** The draft, loaded. */
  get current(): Loaded {
    return this.loaded;
  }

  get text(): string {
    return this.loaded.document.text;
  }

  get disk(): DiskState {
    return this.diskState;
  }

  get dirty(): boolean {
    return this.text !== this.diskState.text;
  }

  get canUndo(): boolean {
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    return this.history.canRedo;
  }

  get undoLabel(): string | undefined {
    return this.history.undoLabel;
  }

  get redoLabel(): string | undefined {
    return this.history.redoLabel;
  }

  /** Applies one call's edits as one undo step; false when they changed nothing. Throws (and
   * changes nothing) when an edit cannot apply. */
  edit(edits: ConfigEdit[], label = editLabel(edits), group?: string): boolean {
    const next = applyConfigEdits(this.loaded.document, edits);
    return this.adopt(next, label, group);
  }

  /** The whole text, as the source panel edits it. */
  setText(text: string, label = 'Edit source', group?: string): boolean {
    if (text === this.text) return false;
    return this.adopt(this.parse(text), label, group);
  }

  undo(): boolean {
    const text = this.history.undo();
    if (text === null) return false;
    this.show(text);
    return true;
  }

  redo(): boolean {
    const text = this.history.redo();
    if (text === null) return false;
    this.show(text);
    return true;
  }

  /** What `edits` (or `text`) would make of the draft, without changing it. */
  check(input: { edits?: ConfigEdit[]; text?: string }): CheckResult {
    try {
      let next = input.text === undefined ? this.loaded : this.parse(input.text);
      if (input.edits && input.edits.length > 0) next = applyConfigEdits(next.document, input.edits);
      return { problems: next.problems };
    } catch (err) {
      if (err instanceof HarnessError) return { problems: this.loaded.problems, refused: err.message };
      throw err;
    }
  }

  /** The draft was written to the file. */
  markSaved(): void {
    this.diskState = { text: this.text, hash: hashText(this.text), loaded: this.loaded };
  }

  /** The file changed on disk and the user keeps their draft: Save may now overwrite that version. */
  adoptDisk(text: string | null, hash: string): void {
    this.diskState = { text, hash, loaded: this.parse(text ?? '') };
  }

  /** The file's current content becomes the draft (one undo step, so "reload" can be undone). */
  reloadFromDisk(text: string | null, hash: string, label: string): void {
    this.adoptDisk(text, hash);
    if (text !== null) this.adopt(this.diskState.loaded, label);
  }

  private parse(text: string): Loaded {
    return parseProject(text, this.file, this.loaded.document.env);
  }

  private adopt(next: Loaded, label: string, group?: string): boolean {
    if (!this.history.push(next.document.text, label, group)) return false;
    this.loaded = next;
    this.revision++;
    return true;
  }

  private show(text: string): void {
    this.loaded = text === this.diskState.text ? this.diskState.loaded : this.parse(text);
    this.revision++;
  }
}
