// Hooks for the e2e specs and the UI benches, in the renderer built with
// `node scripts/build-renderer.mjs --test-hooks` (Vite mode 'test-hooks') only. Every use is
// guarded by `import.meta.env.MODE === 'test-hooks'`, spelled out at the use site: Vite replaces
// MODE with a string literal, so in the production build the guard folds to `false`, the branch
// is dropped, and this module with it (dist/renderer holds no `__harness`, no `renderCounts`).
import type { AppController } from './actions/app-controller';
import type { TerminalRegistry } from './logs/terminal-registry';
import type { Stores } from './stores/stores';

/** Render counts per node, read by the graph benchmark to prove only changed nodes re-render. */
export const renderCounts: Record<string, number> = {};
/** The renderCounts key of the graph view itself (not a valid service name). */
export const VIEW_RENDERS = '(graph-view)';

export interface TestHookTargets {
  stores: Stores;
  controller: AppController;
  terminals: TerminalRegistry;
  dropConnection: (holdMs?: number) => void;
}

/** `window.__harness`, for same-origin scripts only (the CSP allows no other). */
export function installTestHooks({ stores, controller, terminals, dropConnection }: TestHookTargets): void {
  Object.assign(window, {
    __harness: {
      stores,
      controller,
      terminals,
      renderCounts,
      dropConnection,
      /** Puts flow point (x, y) at the top-left corner of the graph at `zoom`. */
      zoomForBench: (v: { x: number; y: number; zoom: number }) =>
        controller.viewport?.setViewport({ x: 40 - v.x * v.zoom, y: 40 - v.y * v.zoom, zoom: v.zoom }),
    },
  });
}
