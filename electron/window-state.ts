// Remembers the window's bounds and maximised state in <userData>/window-state.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { screen, type BrowserWindow, type Rectangle } from 'electron';

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

const DEFAULT: WindowState = { bounds: { x: 0, y: 0, width: 1400, height: 900 }, maximized: false };

export function loadWindowState(userData: string): WindowState {
  try {
    const raw = JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8')) as Partial<WindowState>;
    const b = raw.bounds;
    if (!b || ![b.x, b.y, b.width, b.height].every((n) => Number.isFinite(n))) return DEFAULT;
    // A display that is gone would put the window off screen: keep only visible bounds.
    const visible = screen.getAllDisplays().some((d) => b.x < d.bounds.x + d.bounds.width && b.x + b.width > d.bounds.x && b.y < d.bounds.y + d.bounds.height && b.y + b.height > d.bounds.y);
    return { bounds: visible ? b : { ...DEFAULT.bounds, width: b.width, height: b.height }, maximized: raw.maximized === true };
  } catch {
    return DEFAULT;
  }
}

export function trackWindowState(win: BrowserWindow, userData: string): void {
  let timer: NodeJS.Timeout | null = null;
  const save = (): void => {
    if (win.isDestroyed()) return;
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    try {
      writeFileSync(join(userData, 'window-state.json'), JSON.stringify(state));
    } catch {
      // not worth failing over
    }
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', save);
}
