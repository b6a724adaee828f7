// Editing the open document: every edit is one undo step in the core's draft; nothing runs or
// stops because of an edit. The questions a user must answer before losing or overwriting work
// (unsaved edits, a file changed on disk, a recovery draft, a delete others depend on, a save with
// errors) are asked here, through the ui store's dialogs.
import type { ConfigEdit, ProjectSnapshot, SourceKind } from '../../../shared/api';
import type { ConfigProblem, TargetType } from '../../../shared/config-types';
import { HarnessError } from '../../../shared/errors';
import { defaultRawService, moveEdits, removeServicesEdits, uniqueServiceName } from '../../../shared/graph/edit-builders';
import { nodeKindOf, type Position } from '../../../shared/graph/graph-model';
import type { AppController } from './app-controller';

const ACTIVE = new Set(['starting', 'running', 'healthy', 'unhealthy', 'stopping']);

export function fileName(file: string | null): string {
  return (file ?? 'services.yaml').split(/[\\/]/).pop() ?? 'services.yaml';
}

/** "a", "a and b", "a, b and c". */
export function andList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function newErrors(before: readonly ConfigProblem[], after: readonly ConfigProblem[]): ConfigProblem[] {
  const known = new Set(before.map((p) => `${p.path}\0${p.message}`));
  return after.filter((p) => p.severity === 'error' && !known.has(`${p.path}\0${p.message}`));
}

export class DocumentActions {
  /** The conflict and recovery offer already asked about (snapshots repeat them). */
  private askedConflict: number | null = null;
  private askedRecovery: string | null = null;
  private openedSourceFor: string | null = null;

  /** Editors holding typed text not yet in the draft (the source panel) flush it before a save. */
  private readonly beforeSave = new Set<() => Promise<void>>();

  constructor(private readonly c: AppController) {}

  onBeforeSave(flush: () => Promise<void>): () => void {
    this.beforeSave.add(flush);
    return () => void this.beforeSave.delete(flush);
  }

  private get graph() {
    return this.c.stores.graph.getState();
  }

  private get ui() {
    return this.c.stores.ui.getState();
  }

  private async apply(snap: Promise<ProjectSnapshot>): Promise<boolean> {
    const s = await this.c.attempt(snap);
    if (s) await this.c.applySnapshot(s);
    return s !== undefined;
  }

  edit(edits: ConfigEdit[], label?: string): Promise<boolean> {
    if (edits.length === 0) return Promise.resolve(false);
    return this.apply(this.c.client.invoke('project.edit', label ? { edits, label } : { edits }));
  }

  undo(): Promise<boolean> {
    return this.apply(this.c.client.invoke('project.undo', {}));
  }

  redo(): Promise<boolean> {
    return this.apply(this.c.client.invoke('project.redo', {}));
  }

  /** Drops the unsaved edits (one undo step brings them back). */
  revert(): Promise<boolean> {
    return this.apply(this.c.client.invoke('project.revert', {}));
  }

  setText(text: string, group?: string): Promise<boolean> {
    return this.apply(this.c.client.invoke('project.setText', group ? { text, group } : { text }));
  }

  source(which: SourceKind = 'draft') {
    return this.c.client.invoke('project.source', { which });
  }

  /** The loader's problems for the candidate edits (or text), and why they would be refused. */
  validate(input: { edits?: ConfigEdit[]; text?: string }) {
    return this.c.client.invoke('project.validate', input);
  }

  /** Saves (asking first when the draft has errors). A file changed on disk is never
   * overwritten: the save is refused and the conflict question appears instead. */
  async save(path?: string): Promise<boolean> {
    for (const flush of this.beforeSave) await flush();
    const { file, problems } = this.graph;
    if (!file) return false;
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      const answer = await this.ui.ask({
        title: 'Save a file with problems?',
        message: `${fileName(file)} has ${errors.length} problem${errors.length === 1 ? '' : 's'}. It can be saved and fixed later, but starting and applying refuse until the saved file is valid.`,
        items: errors.slice(0, 6).map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}${p.line ? ` (line ${p.line})` : ''}`),
        buttons: [
          { label: 'Cancel', value: 'cancel' },
          { label: 'Save anyway', value: 'save', kind: 'danger' },
        ],
        defaultButton: 'cancel',
        testid: 'dialog-save-problems',
      });
      if (answer?.button !== 'save') return false;
    }
    try {
      const r = await this.c.client.invoke('project.save', path ? { path } : {});
      this.ui.toast(`Saved ${r.file}`, 'info');
      await this.c.resync();
      return true;
    } catch (err) {
      if (err instanceof HarnessError && err.code === 'CONFLICT' && (err.details as { reason?: string } | undefined)?.reason === 'changed-on-disk') {
        // The snapshot now carries the conflict: onSnapshot asks.
        this.askedConflict = null;
        await this.c.resync();
        return false;
      }
      this.c.report(err);
      return false;
    }
  }

  /** Before replacing the document (Open, New, Import): save, drop or keep the unsaved edits. */
  async confirmUnsaved(doing: string): Promise<boolean> {
    const { dirty, file } = this.graph;
    if (!dirty || !file) return true;
    const answer = await this.ui.ask({
      title: 'Unsaved changes',
      message: `${fileName(file)} has unsaved changes. Save them before ${doing}?`,
      buttons: [
        { label: 'Cancel', value: 'cancel' },
        { label: "Don't save", value: 'discard', kind: 'danger' },
        { label: 'Save', value: 'save', kind: 'primary' },
      ],
      testid: 'dialog-unsaved',
    });
    if (answer?.button === 'save') return (await this.save()) && !this.graph.dirty;
    if (answer?.button === 'discard') return this.revert();
    return false;
  }

  async open(path: string): Promise<void> {
    if (!(await this.confirmUnsaved('opening another file'))) return;
    const snap = await this.c.attempt(this.c.client.invoke('project.open', { path }));
    if (snap) {
      this.c.terminals.resync();
      await this.c.applySnapshot(snap);
    }
  }

  async create(path: string): Promise<void> {
    if (!(await this.confirmUnsaved('creating a new file'))) return;
    const snap = await this.c.attempt(this.c.client.invoke('project.create', { path }));
    if (snap) await this.c.applySnapshot(snap);
  }

  /** Deletes services; when others depend on them (or they run) the user is asked first. */
  async remove(names: string[], extra: ConfigEdit[] = []): Promise<boolean> {
    const { deps } = this.graph;
    const gone = new Set(names);
    const dependents = [...deps].filter(([svc, ds]) => !gone.has(svc) && ds.some((d) => gone.has(d)));
    if (dependents.length > 0) {
      const states = this.c.stores.run.getState().states;
      const running = names.filter((n) => ACTIVE.has(states[n]?.status ?? ''));
      const list = andList(names);
      const answer = await this.ui.ask({
        title: `Delete ${list}?`,
        message: `${andList(dependents.map(([s]) => s))} ${dependents.length === 1 ? 'depends' : 'depend'} on ${list}; deleting also removes ${list} from ${dependents.length === 1 ? 'its' : 'their'} dependencies.`,
        items: [
          ...dependents.map(([s, ds]) => `${s} depends on ${andList(ds.filter((d) => gone.has(d)))}`),
          ...running.map((n) => `${n} is running: it keeps running until you save and apply`),
        ],
        buttons: [
          { label: 'Cancel', value: 'cancel' },
          { label: 'Delete', value: 'delete', kind: 'danger' },
        ],
        defaultButton: 'cancel',
        testid: 'dialog-delete',
      });
      if (answer?.button !== 'delete') return false;
    }
    return this.edit([...extra, ...removeServicesEdits(names, deps)]);
  }

  /** A palette drop: asks for the name (a free one preselected), then adds it at `at`. */
  async add(type: TargetType, at: Position): Promise<string | null> {
    const existing = [...this.graph.deps.keys()];
    const candidate = (name: string): ConfigEdit[] => [{ op: 'addService', service: defaultRawService(type, name) }, ...moveEdits([{ id: name, position: at }])];
    const answer = await this.ui.ask({
      title: `New ${type} service`,
      input: {
        label: 'Name',
        value: uniqueServiceName(nodeKindOf(type), existing),
        validate: (name) => this.nameProblem(candidate(name.trim()), name.trim()),
      },
      buttons: [
        { label: 'Cancel', value: 'cancel' },
        { label: 'Add', value: 'add', kind: 'primary' },
      ],
      testid: 'dialog-new-service',
    });
    if (answer?.button !== 'add' || !answer.input) return null;
    const name = answer.input.trim();
    return (await this.edit(candidate(name), `Add ${name}`)) ? name : null;
  }

  /** Asks for a new name (checked with the loader's words as it is typed) and renames. */
  async rename(name: string): Promise<string | null> {
    const renameEdits = (to: string): ConfigEdit[] => {
      const node = this.graph.nodes.find((n) => n.id === name);
      const view = this.graph.views.find((v) => v.name === name);
      // The node keeps its place: a position not yet in the file is written with the rename.
      const keep: ConfigEdit[] = node && !view?.config?.ui?.position ? [{ op: 'setPosition', service: name, x: Math.round(node.position.x), y: Math.round(node.position.y) }] : [];
      return [...keep, { op: 'renameService', name, to }];
    };
    const answer = await this.ui.ask({
      title: `Rename ${name}`,
      message: 'Every dependency list naming it follows the new name.',
      input: { label: 'New name', value: name, validate: (to) => (to.trim() === name ? Promise.resolve(null) : this.nameProblem(renameEdits(to.trim()), to.trim())) },
      buttons: [
        { label: 'Cancel', value: 'cancel' },
        { label: 'Rename', value: 'rename', kind: 'primary' },
      ],
      testid: 'dialog-rename',
    });
    const to = answer?.button === 'rename' ? answer.input?.trim() : undefined;
    if (!to || to === name) return null;
    if (!(await this.edit(renameEdits(to), `Rename ${name} to ${to}`))) return null;
    this.c.stores.graph.getState().selectOnly(to);
    return to;
  }

  /** The loader's verdict on edits that introduce `name`, or null when it has nothing against it. */
  async nameProblem(edits: ConfigEdit[], name: string): Promise<string | null> {
    if (name === '') return 'a service needs a name';
    try {
      const r = await this.validate({ edits });
      if (r.refused) return r.refused;
      const added = newErrors(this.graph.problems, r.problems).filter((p) => /name|prefix/.test(p.message) && p.message.includes(name));
      return added[0]?.message ?? null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** Restarts the named changed services with the saved config (all pending when omitted). */
  async applySaved(names?: string[]): Promise<void> {
    const r = await this.c.attempt(this.c.client.invoke('project.apply', names ? { services: names } : {}));
    if (r) {
      const parts = [r.restarted.length ? `restarted ${r.restarted.join(', ')}` : '', r.stopped.length ? `stopped ${r.stopped.join(', ')}` : ''].filter(Boolean);
      this.ui.toast(parts.length ? `Applied: ${parts.join('; ')}` : 'Nothing to apply', 'info');
    }
    await this.c.resync();
  }

  resolveConflict(action: 'reload' | 'keep', text?: string): Promise<boolean> {
    return this.apply(this.c.client.invoke('project.conflict', text === undefined ? { action } : { action, text }));
  }

  resolveRecovery(action: 'restore' | 'discard'): Promise<boolean> {
    return this.apply(this.c.client.invoke('project.recovery', { action }));
  }

  /** Questions the snapshot raises: a changed file on disk, an earlier session's unsaved edits. */
  onSnapshot(snap: ProjectSnapshot): void {
    // A file that is not even YAML shows no services: its source is the place to fix it.
    const broken = snap.problems.some((p) => p.severity === 'error' && p.message.startsWith('YAML syntax error'));
    if (broken && snap.services.length === 0 && !(snap.invalid ?? []).length && snap.file !== this.openedSourceFor) {
      this.openedSourceFor = snap.file;
      this.ui.toggleSource(true);
    }
    if (snap.conflict && snap.conflict.at !== this.askedConflict) {
      this.askedConflict = snap.conflict.at;
      void this.askConflict(snap);
    }
    const offer = snap.recovery ? `${snap.file}@${snap.recovery.savedAt}` : null;
    if (offer && offer !== this.askedRecovery) {
      this.askedRecovery = offer;
      void this.askRecovery(snap);
    }
  }

  private async askConflict(snap: ProjectSnapshot): Promise<void> {
    const name = fileName(snap.file);
    const answer = await this.ui.ask({
      title: `${name} changed on disk`,
      message: snap.conflict?.missing
        ? `${name} was deleted or moved while you had unsaved changes. Keep your version (Save writes it again), or compare.`
        : `${name} was changed by another program while you had unsaved changes. Reload it (your changes are dropped; Undo brings them back), keep your version (the next Save overwrites the file), or compare both side by side.`,
      buttons: [
        ...(snap.conflict?.missing ? [] : [{ label: 'Reload (drop mine)', value: 'reload', kind: 'danger' as const }]),
        { label: 'Compare…', value: 'compare' },
        { label: 'Keep mine', value: 'keep', kind: 'primary' },
      ],
      testid: 'dialog-conflict',
    });
    if (answer?.button === 'reload') await this.resolveConflict('reload');
    else if (answer?.button === 'keep') await this.resolveConflict('keep');
    else if (answer?.button === 'compare') this.ui.setMergeOpen(true);
    else this.askedConflict = null;
  }

  private async askRecovery(snap: ProjectSnapshot): Promise<void> {
    const when = new Date(snap.recovery!.savedAt).toLocaleString();
    const answer = await this.ui.ask({
      title: 'Restore unsaved changes?',
      message: `Changes to ${fileName(snap.file)} from ${when} were never saved (the app or its server stopped first).${snap.recovery!.baseChanged ? ' The file has changed on disk since then: look at the result before saving.' : ''}`,
      buttons: [
        { label: 'Discard them', value: 'discard', kind: 'danger' },
        { label: 'Restore', value: 'restore', kind: 'primary' },
      ],
      testid: 'dialog-recovery',
    });
    if (answer?.button === 'restore') await this.resolveRecovery('restore');
    else if (answer?.button === 'discard') await this.resolveRecovery('discard');
  }
}
