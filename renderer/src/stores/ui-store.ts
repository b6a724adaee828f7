// UI domain: theme, views, panels, the log dock's layout. Low rate.
import { createStore } from 'zustand/vanilla';

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

import type { HostKeyEvent } from '../../../shared/events';

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
