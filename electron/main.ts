// Electron main entry. Thin: hardening, window, menus and the IPC adapter. The core (the project's
// supervisor: ProjectSession, executors, the Unix socket `harness ps/logs/down` attach to) runs in
// this main process through the same ApiDispatcher as every other transport. Why not a
// utilityProcess: the core is I/O-bound (child processes, sockets, Docker API), logs are coalesced
// every 5 ms with ack-based flow control, so the main process stays responsive; a utilityProcess
// would add a second message hop for every log batch. The dispatcher boundary keeps that move cheap
// if profiling ever says otherwise (docs/desktop.md).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { attachToSupervisor, type AttachedSupervisor } from '../main/supervisor/attach.js';
import { startSupervisor, type Supervisor } from '../main/supervisor/supervisor.js';
import { APP_URL, handleAppProtocol, registerAppScheme } from './app-protocol.js';
import { installMenu, openFile, type MenuContext } from './app-menu.js';
import { hardenContents, hardenSession } from './hardening.js';
import { createIpcAdapter, type IpcAdapter } from './ipc-adapter.js';
import { addRecent } from './recent-files.js';
import { confirmUnsaved } from './unsaved-guard.js';
import { loadWindowState, trackWindowState } from './window-state.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/electron → package root. */
const root = resolve(here, '..', '..');
const rendererDir = join(root, 'dist', 'renderer');
const preload = join(here, 'preload.cjs');
const demo = join(root, 'examples', 'demo', 'services.yaml');

if (process.env.HARNESS_USER_DATA) app.setPath('userData', process.env.HARNESS_USER_DATA);

/** The services.yaml given on the command line (`electron . path/to/services.yaml`), if any. */
function fileFromArgv(argv: string[]): string | null {
  const candidate = argv.slice(app.isPackaged ? 1 : 2).find((a) => !a.startsWith('-') && /\.ya?ml$/i.test(a));
  return candidate ? resolve(candidate) : null;
}

registerAppScheme();
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let supervisor: Supervisor | null = null;
  let attached: AttachedSupervisor | null = null;
  let ipc: IpcAdapter | null = null;
  let menu: MenuContext | null = null;
  /** The user answered the unsaved-changes question for this quit or close. */
  let closeConfirmed = false;
  let quitting = false;

  app.on('second-instance', (_e, argv) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    const file = fileFromArgv(argv);
    if (file && menu) void openFile(menu, file);
  });

  app.on('web-contents-created', (_e, contents) => hardenContents(contents));

  const createWindow = (): void => {
    const userData = app.getPath('userData');
    const state = loadWindowState(userData);
    win = new BrowserWindow({
      ...state.bounds,
      minWidth: 800,
      minHeight: 500,
      show: false,
      backgroundColor: '#0d1117',
      title: 'Harness',
      webPreferences: {
        preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        webviewTag: false,
        allowRunningInsecureContent: false,
        spellcheck: false,
      },
    });
    if (state.maximized) win.maximize();
    trackWindowState(win, userData);
    ipc!.attach(win.webContents);
    // Closing the window with unsaved edits asks first (save, drop them, or stay).
    const w = win;
    w.on('close', (event) => {
      if (closeConfirmed || !supervisor) return;
      event.preventDefault();
      void confirmUnsaved(supervisor.dispatcher, w, 'closing the window').then((ok) => {
        if (!ok) return;
        closeConfirmed = true;
        w.close();
      });
    });
    win.once('ready-to-show', () => win?.show());
    win.on('closed', () => {
      win = null;
      // macOS keeps the app without windows: a later window asks again.
      if (!quitting) closeConfirmed = false;
    });
    void win.loadURL(APP_URL);
  };

  app.whenReady().then(async () => {
    hardenSession();
    handleAppProtocol(rendererDir, existsSync(demo) ? demo : null);
    const file = fileFromArgv(process.argv);
    // A stack that already runs (`harness up -d`, `harness serve`) is attached to, not refused.
    attached = file ? await attachToSupervisor(file).catch(() => null) : null;
    if (attached) {
      void attached.closed.then(() => app.quit());
      if (file) addRecent(app.getPath('userData'), file);
      ipc = createIpcAdapter(attached.dispatcher);
      menu = { dispatcher: attached.dispatcher, window: () => win, userData: app.getPath('userData') };
      installMenu(menu);
      createWindow();
      return;
    }
    supervisor = await startSupervisor({
      file,
      command: 'Harness desktop',
      onShutdownRequest: () => app.quit(),
    }).catch(async (err: Error) => {
      // e.g. another supervisor already owns the project: start empty and say why.
      const { dialog } = await import('electron');
      dialog.showErrorBox('Harness', err.message);
      return startSupervisor({ file: null, command: 'Harness desktop', onShutdownRequest: () => app.quit() });
    });
    if (file) addRecent(app.getPath('userData'), file);
    ipc = createIpcAdapter(supervisor.dispatcher);
    menu = { dispatcher: supervisor.dispatcher, window: () => win, userData: app.getPath('userData') };
    installMenu(menu);
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  }).catch((err: Error) => {
    console.error(`harness: ${err.message}`);
    app.exit(1);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Stop every service before quitting: no orphans, whichever way the app ends.
  app.on('before-quit', (event) => {
    // Attached to another process's supervisor: the stack is that process's to stop.
    if (attached) {
      ipc?.dispose();
      attached.close();
      return;
    }
    if (quitting || !supervisor) return;
    event.preventDefault();
    const sup = supervisor;
    void (closeConfirmed ? Promise.resolve(true) : confirmUnsaved(sup.dispatcher, win, 'quitting')).then((ok) => {
      if (!ok) return;
      closeConfirmed = true;
      quitting = true;
      ipc?.dispose();
      void sup.close().finally(() => app.exit(0));
    });
  });
}
