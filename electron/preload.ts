// The sandboxed preload (bundled to ONE file, dist/electron/preload.cjs, by
// scripts/build-preload.mjs: a sandboxed preload cannot require local files). Exposes exactly
// two functions, both checked against the contract's names; `ipcRenderer` itself never leaks.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isApiMethodName } from '../shared/api.js';
import { API_EVENT_NAMES, type ApiEventName } from '../shared/events.js';
import { IPC_EVENT, IPC_INVOKE } from './ipc-channels.js';

const listeners = new Map<ApiEventName, Set<(payload: unknown) => void>>();

ipcRenderer.on(IPC_EVENT, (_e: IpcRendererEvent, event: unknown, payload: unknown) => {
  if (typeof event !== 'string' || !(API_EVENT_NAMES as readonly string[]).includes(event)) return;
  for (const l of listeners.get(event as ApiEventName) ?? []) l(payload);
});

contextBridge.exposeInMainWorld('harness', {
  invoke(method: unknown, params: unknown): Promise<unknown> {
    if (!isApiMethodName(method)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method ${String(method).slice(0, 80)}` } });
    }
    return ipcRenderer.invoke(IPC_INVOKE, method, params);
  },
  on(event: unknown, listener: unknown): () => void {
    if (typeof event !== 'string' || !(API_EVENT_NAMES as readonly string[]).includes(event) || typeof listener !== 'function') {
      throw new TypeError(`harness.on: unknown event ${String(event).slice(0, 80)}`);
    }
    let set = listeners.get(event as ApiEventName);
    if (!set) listeners.set(event as ApiEventName, (set = new Set()));
    const fn = listener as (payload: unknown) => void;
    set.add(fn);
    return () => void set.delete(fn);
  },
});
