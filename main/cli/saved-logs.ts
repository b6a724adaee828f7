// Reading the per-service log files (`<stateDir>/logs/<service>.log`, rotated to .1 … .3) when no
// supervisor runs. Line format written by the LogStore: `<ISO time> <stream> | <line>`.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine, LogStream } from '../../shared/events.js';

const LINE = /^(\S+) (stdout|stderr|system) \| (.*)$/;

/** The newest `tail` lines of each service (all services when `services` is empty), merged by time. */
export async function readSavedLogs(stateDir: string, services: string[], tail: number): Promise<LogLine[]> {
  const dir = join(stateDir, 'logs');
  let names = services;
  if (names.length === 0) {
    const files = await readdir(dir).catch(() => [] as string[]);
    names = files.filter((f) => f.endsWith('.log')).map((f) => f.slice(0, -4));
  }
  const all: LogLine[] = [];
  for (const service of names) all.push(...(await readService(dir, service, tail)));
  all.sort((a, b) => a.ts - b.ts);
  return all.length > tail ? all.slice(all.length - tail) : all;
}

async function readService(dir: string, service: string, tail: number): Promise<LogLine[]> {
  // Newest file first; older rotations only when the newer ones hold fewer than `tail` lines.
  const chunks: string[][] = [];
  let count = 0;
  for (const suffix of ['', '.1', '.2', '.3']) {
    const text = await readFile(join(dir, `${service}.log${suffix}`), 'utf8').catch(() => null);
    if (text === null) {
      if (suffix === '') continue;
      break;
    }
    const lines = text.split('\n').filter((l) => l.length > 0);
    chunks.unshift(lines);
    count += lines.length;
    if (count >= tail) break;
  }
  const raw = chunks.flat();
  const kept = raw.length > tail ? raw.slice(raw.length - tail) : raw;
  return kept.map((text, i) => {
    const m = LINE.exec(text);
    if (!m) return { service, stream: 'stdout' as LogStream, ts: 0, line: text, n: i + 1 };
    return { service, stream: m[2] as LogStream, ts: Date.parse(m[1]) || 0, line: m[3], n: i + 1 };
  });
}
