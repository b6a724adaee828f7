// File > Open Recent: a short list in <userData>/recent.json, also given to the OS.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';

const MAX = 10;

export function readRecent(userData: string): string[] {
  try {
    const list = JSON.parse(readFileSync(join(userData, 'recent.json'), 'utf8')) as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, MAX) : [];
  } catch {
    return [];
  }
}

export function addRecent(userData: string, file: string): string[] {
  const list = [file, ...readRecent(userData).filter((f) => f !== file)].slice(0, MAX);
  try {
    writeFileSync(join(userData, 'recent.json'), JSON.stringify(list));
  } catch {
    // the menu still works for this session
  }
  app.addRecentDocument(file);
  return list;
}
