// Window hardening, applied to every webContents: no navigation away from the app, no new
// windows (external links go to the system browser only when allowlisted https), no permission
// grants, no <webview>.
import { session, shell, type WebContents } from 'electron';
import { isAppUrl } from './app-protocol.js';

/** Hosts that external links may open (docs, project page). Exact match, https only. */
export const EXTERNAL_ALLOWLIST = new Set(['github.com', 'docs.docker.com', 'www.wireguard.com']);

export function isAllowedExternal(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' && EXTERNAL_ALLOWLIST.has(u.hostname) && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

export function openExternalSafely(url: string): void {
  if (isAllowedExternal(url)) void shell.openExternal(url);
}

export function hardenSession(): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.setDevicePermissionHandler(() => false);
}

export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
