// IPC transport for the API: one dispatcher session per window, the sender checked on every call
// (top frame of a window we created, loaded from our own origin).
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { ApiDispatcher, ApiSession } from '../main/api/dispatcher.js';
import { MAX_MESSAGE_BYTES } from '../shared/wire.js';
import { isAppUrl } from './app-protocol.js';
import { IPC_EVENT, IPC_INVOKE } from './ipc-channels.js';

export interface IpcAdapter {
  attach(contents: WebContents): void;
  dispose(): void;
}

function senderAllowed(event: IpcMainInvokeEvent, trusted: Set<number>): boolean {
  const frame = event.senderFrame;
  if (!frame || !trusted.has(event.sender.id)) return false;
  // Only the top frame: an iframe (there should be none) must never reach the API.
  if (frame.parent !== null || frame !== event.sender.mainFrame) return false;
  return isAppUrl(frame.url);
}

export function createIpcAdapter(dispatcher: ApiDispatcher): IpcAdapter {
  const sessions = new Map<number, ApiSession>();
  const trusted = new Set<number>();

  const open = (contents: WebContents): void => {
    sessions.get(contents.id)?.close();
    sessions.set(
      contents.id,
      dispatcher.openSession((event, payload) => {
        if (!contents.isDestroyed()) contents.send(IPC_EVENT, event, payload);
      }),
    );
  };

  ipcMain.handle(IPC_INVOKE, async (event, method: unknown, params: unknown) => {
    if (!senderAllowed(event, trusted)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'sender not allowed' } };
    let size: number;
    try {
      size = JSON.stringify(params ?? null)?.length ?? 0;
    } catch {
      return { ok: false, error: { code: 'BAD_REQUEST', message: 'params are not JSON' } };
    }
    if (size > MAX_MESSAGE_BYTES) return { ok: false, error: { code: 'BAD_REQUEST', message: 'message too large' } };
    const session = sessions.get(event.sender.id);
    if (!session) return { ok: false, error: { code: 'UNAVAILABLE', message: 'no session for this window' } };
    return session.call(method, params);
  });

  return {
    attach(contents) {
      trusted.add(contents.id);
      open(contents);
      // A reload starts a fresh renderer: it resyncs from a snapshot, and its session (unacked
      // counters, buffered lines) starts fresh too.
      contents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) open(contents);
      });
      contents.once('destroyed', () => {
        sessions.get(contents.id)?.close();
        sessions.delete(contents.id);
        trusted.delete(contents.id);
      });
    },
    dispose() {
      ipcMain.removeHandler(IPC_INVOKE);
      for (const s of sessions.values()) s.close();
      sessions.clear();
    },
  };
}
