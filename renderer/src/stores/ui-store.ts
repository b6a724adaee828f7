// UI domain: theme, views, panels, the log dock's layout. Low rate. The panels' sizes (log dock,
// inspector) and whether they are collapsed outlive a reload: zustand's persist middleware keeps
// them in localStorage ('harness.layout'), clamped on the way back in.
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
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
  /** The whole message is kept in the Problems panel's messages (the toast shows one line). */
  noticed: boolean;
}

/** An error a toast announced, kept in the Problems panel with its whole text. */
export interface Notice {
  id: number;
  at: number;
  message: string;
}

/** How long a toast stays (ms): long enough to read one line, short enough not to linger. */
export const TOAST_MS = { error: 5000, info: 3000 } as const;
const MAX_NOTICES = 50;

/** Sizes in CSS pixels; what the splitters may set and what is restored after a reload. */
export const LAYOUT_LIMITS = {
  dockHeight: { min: 120, max: 1200, initial: 260 },
  inspectorWidth: { min: 260, max: 760, initial: 340 },
} as const;

/** The part of the UI state that is remembered across reloads. */
export interface PanelLayout {
  dockOpen: boolean;
  dockHeight: number;
  inspectorWidth: number;
  inspectorCollapsed: boolean;
  minimap: boolean;
}

export const LAYOUT_STORAGE_KEY = 'harness.layout';

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

export interface UiState extends PanelLayout {
  theme: Theme;
  view: MainView;
  problemsOpen: boolean;
  /** Bumped whenever a panel's size or collapsed state changes: the graph re-fits. */
  layoutRevision: number;
  notices: Notice[];
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
  setDockHeight(px: number): void;
  setInspectorWidth(px: number): void;
  setInspectorCollapsed(collapsed: boolean): void;
  setMinimap(on: boolean): void;
  setTimestamps(on: boolean): void;
  /** One line for a few seconds; an error's whole text also goes to the Problems panel. */
  toast(message: string, kind?: Toast['kind']): void;
  clearNotices(): void;
  dismissToast(id: number): void;
  setPrompt(prompt: PathPrompt | null): void;
  setContextMenu(menu: ContextMenuState | null): void;
  setHostKeyPrompt(prompt: HostKeyEvent | null): void;
}

export type UiStore = ReturnType<typeof createUiStore>;

let toastId = 1;
let dialogId = 1;
let noticeId = 1;

const clamp = (v: unknown, lim: { min: number; max: number; initial: number }): number =>
  typeof v === 'number' && Number.isFinite(v) ? Math.round(Math.min(lim.max, Math.max(lim.min, v))) : lim.initial;

/** Stored layout is input like any other: only known keys of the right type come back. */
export function restoreLayout(stored: unknown): Partial<PanelLayout> {
  if (!stored || typeof stored !== 'object') return {};
  const s = stored as Record<string, unknown>;
  const out: Partial<PanelLayout> = {};
  if (typeof s.dockOpen === 'boolean') out.dockOpen = s.dockOpen;
  if (s.dockHeight !== undefined) out.dockHeight = clamp(s.dockHeight, LAYOUT_LIMITS.dockHeight);
  if (s.inspectorWidth !== undefined) out.inspectorWidth = clamp(s.inspectorWidth, LAYOUT_LIMITS.inspectorWidth);
  if (typeof s.inspectorCollapsed === 'boolean') out.inspectorCollapsed = s.inspectorCollapsed;
  if (typeof s.minimap === 'boolean') out.minimap = s.minimap;
  return out;
}

/** localStorage where there is one (it may also be disabled), else memory for this session. */
function layoutStorage(): StateStorage {
  try {
    if (typeof localStorage !== 'undefined') {
      localStorage.getItem(LAYOUT_STORAGE_KEY);
      return localStorage;
    }
  } catch {
    // storage disabled: fall through
  }
  const mem = new Map<string, string>();
  return { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => void mem.set(k, v), removeItem: (k) => void mem.delete(k) };
}

function initialTheme(): Theme {
  try {
    return localStorage.getItem('harness.theme') === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

export function createUiStore() {
  return createStore<UiState>()(
    persist(
      (set, get) => ({
        theme: initialTheme(),
        view: 'graph',
        problemsOpen: false,
        dockOpen: false,
        dockHeight: LAYOUT_LIMITS.dockHeight.initial,
        inspectorWidth: LAYOUT_LIMITS.inspectorWidth.initial,
        inspectorCollapsed: false,
        minimap: true,
        layoutRevision: 0,
        notices: [],
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
          const { tabs, dockOpen, layoutRevision } = get();
          set({ dockOpen: true, tabs: tabs.includes(tab) ? tabs : [...tabs, tab], layoutRevision: dockOpen ? layoutRevision : layoutRevision + 1 });
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
        setDockOpen: (dockOpen) => set({ dockOpen, layoutRevision: get().layoutRevision + 1 }),
        setDockHeight: (px) => set({ dockHeight: clamp(px, LAYOUT_LIMITS.dockHeight), layoutRevision: get().layoutRevision + 1 }),
        setInspectorWidth: (px) => set({ inspectorWidth: clamp(px, LAYOUT_LIMITS.inspectorWidth), layoutRevision: get().layoutRevision + 1 }),
        setInspectorCollapsed: (inspectorCollapsed) => set({ inspectorCollapsed, layoutRevision: get().layoutRevision + 1 }),
        setMinimap: (minimap) => set({ minimap, layoutRevision: get().layoutRevision + 1 }),
        setTimestamps: (timestamps) => set({ timestamps }),
        toast(message, kind = 'error') {
          const id = toastId++;
          const noticed = kind === 'error';
          // The latest three at most: a burst of failures must not stack over the graph.
          set({
            toasts: [...get().toasts.slice(-2), { id, message, kind, noticed }],
            ...(noticed ? { notices: [{ id: noticeId++, at: Date.now(), message }, ...get().notices].slice(0, MAX_NOTICES) } : {}),
          });
          setTimeout(() => get().dismissToast(id), TOAST_MS[kind]);
        },
        clearNotices: () => set({ notices: [] }),
        dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
        setPrompt: (prompt) => set({ prompt }),
        setContextMenu: (contextMenu) => set({ contextMenu }),
        setHostKeyPrompt: (hostKeyPrompt) => set({ hostKeyPrompt }),
      }),
      {
        name: LAYOUT_STORAGE_KEY,
        version: 1,
        storage: createJSONStorage(layoutStorage),
        partialize: (s): PanelLayout => ({
          dockOpen: s.dockOpen,
          dockHeight: s.dockHeight,
          inspectorWidth: s.inspectorWidth,
          inspectorCollapsed: s.inspectorCollapsed,
          minimap: s.minimap,
        }),
        merge: (stored, current) => ({ ...current, ...restoreLayout(stored) }),
      },
    ),
  );
}
