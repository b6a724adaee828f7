// Unsaved edits are asked about before the window closes, the app quits or another file replaces
// the open one. The main process asks the core through the contract (project.snapshot,
// project.save, project.revert), as any client would; the renderer cannot be relied on here
// (a beforeunload answer in Electron silently keeps the window open instead of asking).
import { dialog, type BrowserWindow } from 'electron';
import type { ProjectSnapshot } from '../shared/api.js';
import type { ApiDispatcher } from '../main/api/dispatcher.js';

async function snapshot(dispatcher: ApiDispatcher): Promise<ProjectSnapshot | null> {
  const r = await dispatcher.call('project.snapshot', {});
  return r.ok ? (r.value as ProjectSnapshot) : null;
}

async function show(win: BrowserWindow | null, opts: Electron.MessageBoxOptions): Promise<number> {
  const r = win ? await dialog.showMessageBox(win, opts) : await dialog.showMessageBox(opts);
  return r.response;
}

const name = (file: string) => file.split(/[\\/]/).pop() ?? file;

/**
 * True when it is fine to go on with `doing` ("quitting", "opening another file"): no unsaved
 * edits, or the user saved them (successfully) or chose to drop them.
 */
export async function confirmUnsaved(dispatcher: ApiDispatcher, win: BrowserWindow | null, doing: string): Promise<boolean> {
  const snap = await snapshot(dispatcher);
  if (!snap?.file || !snap.dirty) return true;
  const answer = await show(win, {
    type: 'warning',
    message: `Save the changes to ${name(snap.file)} before ${doing}?`,
    detail: 'Your changes are lost if you do not save them.',
    buttons: ['Save', "Don't Save", 'Cancel'],
    defaultId: 0,
    cancelId: 2,
  });
  if (answer === 2) return false;
  if (answer === 1) {
    // Dropping them on purpose: no recovery draft is offered next time either.
    await dispatcher.call('project.revert', {});
    return true;
  }
  return saveChecked(dispatcher, win);
}

/** Saves the open file, asking first when it has errors; false when not saved. */
export async function saveChecked(dispatcher: ApiDispatcher, win: BrowserWindow | null, path?: string): Promise<boolean> {
  const snap = await snapshot(dispatcher);
  const errors = snap?.problems.filter((p) => p.severity === 'error') ?? [];
  if (snap?.file && errors.length > 0) {
    const answer = await show(win, {
      type: 'warning',
      message: `${name(snap.file)} has ${errors.length} problem${errors.length === 1 ? '' : 's'}. Save anyway?`,
      detail: `${errors.slice(0, 5).map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n')}\n\nStarting and applying refuse until the saved file is valid.`,
      buttons: ['Cancel', 'Save Anyway'],
      defaultId: 0,
      cancelId: 0,
    });
    if (answer !== 1) return false;
  }
  const r = await dispatcher.call('project.save', path ? { path } : {});
  if (r.ok) return true;
  const conflict = r.error.code === 'CONFLICT' && (r.error.details as { reason?: string } | undefined)?.reason === 'changed-on-disk';
  await show(win, {
    type: conflict ? 'warning' : 'error',
    message: conflict ? 'The file changed on disk' : 'Saving failed',
    detail: conflict ? `${r.error.message}\n\nThe window offers to reload it, keep your version or compare both.` : r.error.message,
  });
  return false;
}
