// Native menus. File actions call the core through the same dispatcher as the renderer; the
// renderer learns of the change from the `project` event and resyncs.
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { ApiDispatcher } from '../main/api/dispatcher.js';
import { openExternalSafely } from './hardening.js';
import { addRecent, readRecent } from './recent-files.js';
import { confirmUnsaved, saveChecked } from './unsaved-guard.js';

export interface MenuContext {
  dispatcher: ApiDispatcher;
  window: () => BrowserWindow | null;
  userData: string;
}

const YAML_FILTERS = [{ name: 'services.yaml', extensions: ['yaml', 'yml'] }];

async function report(ctx: MenuContext, what: string, result: Promise<{ ok: boolean; error?: { message: string } }>): Promise<boolean> {
  const r = await result;
  if (!r.ok) {
    const win = ctx.window();
    const opts = { type: 'error' as const, message: `${what} failed`, detail: r.error?.message ?? 'unknown error' };
    if (win) await dialog.showMessageBox(win, opts);
    else await dialog.showMessageBox(opts);
  }
  return r.ok;
}

export async function openFile(ctx: MenuContext, file: string): Promise<void> {
  if (!(await confirmUnsaved(ctx.dispatcher, ctx.window(), 'opening another file'))) return;
  if (await report(ctx, `Opening ${file}`, ctx.dispatcher.call('project.open', { path: file }))) {
    addRecent(ctx.userData, file);
    installMenu(ctx);
  }
}

export function installMenu(ctx: MenuContext): void {
  const recent = readRecent(ctx.userData);
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Open…',
          accelerator: 'CmdOrCtrl+O',
          click: async () => {
            const win = ctx.window();
            const opts = { properties: ['openFile' as const], filters: YAML_FILTERS };
            const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
            if (!r.canceled && r.filePaths[0]) await openFile(ctx, r.filePaths[0]);
          },
        },
        {
          label: 'Open Recent',
          submenu: recent.length
            ? [...recent.map((f) => ({ label: f, click: () => void openFile(ctx, f) })), { type: 'separator' as const }, { label: 'Clear', click: () => { app.clearRecentDocuments(); installMenu(ctx); } }]
            : [{ label: 'No recent files', enabled: false }],
        },
        { type: 'separator' },
        { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => void saveChecked(ctx.dispatcher, ctx.window()) },
        {
          label: 'Save As…',
          accelerator: 'CmdOrCtrl+Shift+S',
          click: async () => {
            const win = ctx.window();
            const opts = { filters: YAML_FILTERS, defaultPath: 'services.yaml' };
            const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
            if (!r.canceled && r.filePath) {
              if (await saveChecked(ctx.dispatcher, ctx.window(), r.filePath)) addRecent(ctx.userData, r.filePath);
            }
          },
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        // Undo/redo of the document. The accelerators are shown but left to the page, which sends
        // them to a text field when one has focus (its own undo) and to the document otherwise.
        { label: 'Undo', accelerator: 'CmdOrCtrl+Z', registerAccelerator: false, click: () => void ctx.dispatcher.call('project.undo', {}) },
        { label: 'Redo', accelerator: 'CmdOrCtrl+Shift+Z', registerAccelerator: false, click: () => void ctx.dispatcher.call('project.redo', {}) },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Help',
      submenu: [
        { label: 'Documentation', click: () => openExternalSafely('https://github.com/harness-orchestrator/harness#readme') },
        { label: `About Harness ${app.getVersion()}`, click: () => void dialog.showMessageBox({ message: `Harness ${app.getVersion()}`, detail: `Electron ${process.versions.electron}, Node ${process.versions.node}` }) },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
