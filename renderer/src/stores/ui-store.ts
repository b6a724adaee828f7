// UI domain: theme, views, panels, the log dock's layout. Low rate.
import { createStore } from 'zustand/vanilla';
import type { HostKeyEvent } from '../../../shared/events';

export type Theme = 'dark' | 'light';
export type MainView = 'graph' | 'topology';
/** A log tab: a service name, or the merged view. */
export const ALL_TAB = '*all*';

export interface Toast {
  id: number;
  message: string;
  kind: 'error' | 'info';
}

export interface PathPrompt {
  title: string;
  action: 'open' | 'create' | 'saveAs';
  initial: string;
}

export interface ContextMenuState {
  service: string;
  x: number;
  y: number;
}


export interface DialogButton {
  label: string;
  value: string;
  kind?: 'primary' | 'danger';
}

/** A modal question: a message, optional list (dependents, losses…), optional text input, buttons. */
export interface DialogSpec {
  title: string;
  message?: string;
  items?: string[];
  buttons: DialogButton[];
  /** The button Enter presses (default: the first primary one). */
  defaultButton?: string;
  input?: {
    label: string;
    value: string;
    /** An error message for the value (shown at the input; the default button waits for none). */
    validate?: (value: string) => Promise<string | null>;
  };
  /** data-testid of the dialog. */
  testid?: string;
}

export interface DialogAnswer {
  button: string;
  input?: string;
}

export interface OpenDialog {
  id: number;
  spec: DialogSpec;
  resolve: (answer: DialogAnswer | null) => void;
}

export interface UiState {
  theme: Theme;
  view: MainView;
  problemsOpen: boolean;
  dockOpen: boolean;
  tabs: string[];
  /** The tab shown in each pane; the second is null unless split. */
  panes: [string, string | null];
  activePane: 0 | 1;
  timestamps: boolean;
  toasts: Toast[];
  prompt: PathPrompt | null;
  contextMenu: ContextMenuState | null;
  /** Questions waiting for an answer; the first one is shown. */
  dialogs: OpenDialog[];
  /** The YAML source panel. */
  sourceOpen: boolean;
  /** The side-by-side view of the file on disk and the draft (a conflict). */
  mergeOpen: boolean;
  importOpen: boolean;
  ask(spec: DialogSpec): Promise<DialogAnswer | null>;
  answer(id: number, answer: DialogAnswer | null): void;
  toggleSource(open?: boolean): void;
  setMergeOpen(open: boolean): void;
  setImportOpen(open: boolean): void;
  /** A start met a host whose key is unknown: the trust dialog asks about it. */
  hostKeyPrompt: HostKeyEvent | null;
  setTheme(theme: Theme): void;
  setView(view: MainView): void;
  toggleProblems(open?: boolean): void;
  openLogs(tab: string): void;
  closeTab(tab: string): void;
  focusTab(tab: string): void;
  toggleSplit(): void;
  setActivePane(pane: 0 | 1): void;
  setDockOpen(open: boolean): void;
  setTimestamps(on: boolean): void;
  toast(message: string, kind?: Toast['kind']): void;
  dismissToast(id: number): void;
  setPrompt(prompt: PathPrompt | null): void;
  setContextMenu(menu: ContextMenuState | null): void;
  setHostKeyPrompt(prompt: HostKeyEvent | null): void;
}

export type UiStore = ReturnType<typeof createUiStore>;

let toastId = 1;
let dialogId = 1;

function initialTheme(): Theme {
  try {
    return localStorage.getItem('harness.theme') === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

export function createUiStore() {
  return createStore<UiState>()((set, get) => ({
    theme: initialTheme(),
    view: 'graph',
    problemsOpen: false,
    dockOpen: false,
    tabs: [ALL_TAB],
    panes: [ALL_TAB, null],
    activePane: 0,
    timestamps: false,
    toasts: [],
    prompt: null,
    contextMenu: null,
    dialogs: [],
    sourceOpen: false,
    mergeOpen: false,
    importOpen: false,
    ask(spec) {
      return new Promise((resolve) => set({ dialogs: [...get().dialogs, { id: dialogId++, spec, resolve }] }));
    },
    answer(id, answer) {
      const d = get().dialogs.find((x) => x.id === id);
      if (!d) return;
      set({ dialogs: get().dialogs.filter((x) => x.id !== id) });
      d.resolve(answer);
    },
    toggleSource: (open) => set({ sourceOpen: open ?? !get().sourceOpen }),
    setMergeOpen: (mergeOpen) => set({ mergeOpen }),
    setImportOpen: (importOpen) => set({ importOpen }),
    hostKeyPrompt: null,
    setTheme(theme) {
      try {
        localStorage.setItem('harness.theme', theme);
      } catch {
        // storage may be disabled; the theme still applies for this session
      }
      set({ theme });
    },
    setView: (view) => set({ view }),
    toggleProblems: (open) => set({ problemsOpen: open ?? !get().problemsOpen }),
    openLogs(tab) {
      const { tabs } = get();
      set({ dockOpen: true, tabs: tabs.includes(tab) ? tabs : [...tabs, tab] });
      get().focusTab(tab);
    },
    closeTab(tab) {
      if (tab === ALL_TAB) return;
      const tabs = get().tabs.filter((t) => t !== tab);
      const panes = get().panes.map((p) => (p === tab ? ALL_TAB : p)) as [string, string | null];
      set({ tabs, panes });
    },
    focusTab(tab) {
      // A terminal can be shown in one pane at a time: picking the other pane's tab swaps them.
      const { panes, activePane } = get();
      const [a, b] = panes;
      if (activePane === 0) set({ panes: [tab, b === tab ? a : b] });
      else set({ panes: [b === null ? tab : a === tab ? b : a, tab] });
    },
    toggleSplit() {
      const [a, b] = get().panes;
      if (b === null) {
        const other = get().tabs.find((t) => t !== a) ?? ALL_TAB;
        set({ panes: [a, other], activePane: 1 });
      } else {
        set({ panes: [a, null], activePane: 0 });
      }
    },
    setActivePane: (activePane) => set({ activePane }),
    setDockOpen: (dockOpen) => set({ dockOpen }),
    setTimestamps: (timestamps) => set({ timestamps }),
    toast(message, kind = 'error') {
      const id = toastId++;
      set({ toasts: [...get().toasts.slice(-4), { id, message, kind }] });
      setTimeout(() => get().dismissToast(id), kind === 'error' ? 8000 : 3000);
    },
    dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
    setPrompt: (prompt) => set({ prompt }),
    setContextMenu: (contextMenu) => set({ contextMenu }),
    setHostKeyPrompt: (hostKeyPrompt) => set({ hostKeyPrompt }),
  }));
}
