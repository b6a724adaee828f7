import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LAYOUT_LIMITS, LAYOUT_STORAGE_KEY, restoreLayout, TOAST_MS, createUiStore } from './ui-store';

/** A localStorage for the node test environment (the browser's, in the app). */
function fakeLocalStorage(): Map<string, string> {
  const data = new Map<string, string>();
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, String(v)),
    removeItem: (k: string) => void data.delete(k),
  });
  return data;
}

describe('ui store: panel layout', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('remembers the dock and inspector sizes and collapsed states across stores (a reload)', () => {
    const data = fakeLocalStorage();
    const a = createUiStore();
    a.getState().setDockOpen(true);
    a.getState().setDockHeight(333);
    a.getState().setInspectorWidth(410);
    a.getState().setInspectorCollapsed(true);
    a.getState().setMinimap(false);
    expect(JSON.parse(data.get(LAYOUT_STORAGE_KEY)!).state).toEqual({ dockOpen: true, dockHeight: 333, inspectorWidth: 410, inspectorCollapsed: true, minimap: false });
    const b = createUiStore();
    expect(b.getState()).toMatchObject({ dockOpen: true, dockHeight: 333, inspectorWidth: 410, inspectorCollapsed: true, minimap: false });
  });

  it('clamps sizes to their limits, and every change bumps the revision the canvas re-fits on', () => {
    fakeLocalStorage();
    const ui = createUiStore();
    const r0 = ui.getState().layoutRevision;
    ui.getState().setDockHeight(5);
    expect(ui.getState().dockHeight).toBe(LAYOUT_LIMITS.dockHeight.min);
    ui.getState().setInspectorWidth(1e6);
    expect(ui.getState().inspectorWidth).toBe(LAYOUT_LIMITS.inspectorWidth.max);
    ui.getState().openLogs('api');
    expect(ui.getState().layoutRevision).toBe(r0 + 3);
    // Opening another tab of an open dock changes no size.
    ui.getState().openLogs('web');
    expect(ui.getState().layoutRevision).toBe(r0 + 3);
  });

  it('takes nothing but known, well-typed, clamped values back from storage', () => {
    expect(restoreLayout({ dockHeight: 'x', inspectorWidth: -4, dockOpen: 'yes', minimap: false, evil: 1 })).toEqual({
      dockHeight: LAYOUT_LIMITS.dockHeight.initial,
      inspectorWidth: LAYOUT_LIMITS.inspectorWidth.min,
      minimap: false,
    });
    expect(restoreLayout(null)).toEqual({});
    const data = fakeLocalStorage();
    data.set(LAYOUT_STORAGE_KEY, '{not json');
    expect(createUiStore().getState().dockHeight).toBe(LAYOUT_LIMITS.dockHeight.initial);
  });

  it('works without storage at all (disabled, or a test environment)', () => {
    vi.stubGlobal('localStorage', undefined);
    const ui = createUiStore();
    ui.getState().setDockHeight(300);
    expect(ui.getState().dockHeight).toBe(300);
  });
});

describe('ui store: toasts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('an error toast is gone after a few seconds, and its whole text stays in the notices', () => {
    const ui = createUiStore();
    ui.getState().toast('api: start failed: binary not found: ./nope\nsecond line of detail');
    expect(ui.getState().toasts).toHaveLength(1);
    expect(ui.getState().notices[0].message).toContain('second line of detail');
    vi.advanceTimersByTime(TOAST_MS.error - 1);
    expect(ui.getState().toasts).toHaveLength(1);
    vi.advanceTimersByTime(2);
    expect(ui.getState().toasts).toHaveLength(0);
    expect(ui.getState().notices).toHaveLength(1);
  });

  it('keeps at most three on screen, and an info toast is not kept as a notice', () => {
    const ui = createUiStore();
    for (let i = 0; i < 6; i++) ui.getState().toast(`e${i}`);
    expect(ui.getState().toasts.map((t) => t.message)).toEqual(['e3', 'e4', 'e5']);
    ui.getState().toast('saved', 'info');
    expect(ui.getState().notices.map((n) => n.message)).not.toContain('saved');
    ui.getState().dismissToast(ui.getState().toasts[0].id);
    expect(ui.getState().toasts).toHaveLength(2);
  });
});
