// What every field mapper needs: the loss list, text conversion, and paths rebased from the
// compose file's directory to the directory of the services.yaml being written.
import path from 'node:path';
import type { Env } from '../config/interpolate.js';
import { childPath, type CMap, type CNode } from './compose-tree.js';
import { LossList } from './losses.js';
import { harnessRefs, scalarText } from './values.js';

export interface ConvertContext {
  losses: LossList;
  /** Directory of the compose file: Compose resolves relative paths against it. */
  composeDir: string;
  /** Directory of the services.yaml written: Harness resolves relative paths against it. */
  outDir: string;
  /** Variables for the few forms resolved at import time (`${VAR:+alt}`). */
  env: Env;
  /** Reads a file Compose refers to (env_file); undefined when missing. */
  readText(abs: string): string | undefined;
}

/** One service being converted: its compose node, its Harness name, and loss helpers. */
export class ServiceScope {
  constructor(
    readonly ctx: ConvertContext,
    /** Harness name. */
    readonly name: string,
    readonly node: CMap,
    /** Line of the service's key (the node itself starts at its first field). */
    readonly line = node.line,
  ) {}

  notConverted(at: { line: number; path: string }, message: string): void {
    this.ctx.losses.notConverted(at, message, this.name);
  }

  approximated(at: { line: number; path: string }, message: string): void {
    this.ctx.losses.approximated(at, message, this.name);
  }

  /** A scalar as Harness text: references rewritten (see harnessRefs). Lists, maps and null are
   * reported as not converted with `expected` and give undefined. */
  text(n: CNode, expected = 'a string'): string | undefined {
    const raw = scalarText(n);
    if (raw === undefined) {
      this.notConverted(n, `expected ${expected}`);
      return undefined;
    }
    return this.refs(n, raw);
  }

  refs(at: { line: number; path: string }, raw: string): string {
    const r = harnessRefs(raw, this.ctx.env);
    if (r.resolved.length > 0) {
      this.approximated(at, `${r.resolved.join(', ')} resolved at import time to "${r.text}" (Harness has no :+ or + form)`);
    }
    return r.text;
  }

  /** Words of a list (items as text) or of a string split as a shell would (no expansion). */
  words(n: CNode, split: (s: string) => string[] | null): string[] | undefined {
    if (n.kind === 'seq') {
      const out: string[] = [];
      for (const it of n.items) {
        const t = this.text(it);
        if (t === undefined) return undefined;
        out.push(t);
      }
      return out;
    }
    const s = scalarText(n);
    if (s === undefined) {
      this.notConverted(n, 'expected a string or a list of strings');
      return undefined;
    }
    const w = split(s);
    if (w === null) {
      this.notConverted(n, `unterminated quote in "${s}"`);
      return undefined;
    }
    return w.map((x) => this.refs(n, x));
  }

  /** A host path from the compose file, relative to the services.yaml written (or as written
   * when absolute, under `~`, or a `${VAR}` reference Harness resolves later). */
  hostPath(at: { line: number; path: string }, p: string): string {
    return rebasePath(this.ctx, at, p, (m) => this.approximated(at, m));
  }

  child(n: CMap, key: string): { line: number; path: string } {
    const e = n.entries.find((x) => x.key === key);
    return { line: e?.line ?? n.line, path: childPath(n.path, key) };
  }
}

export function rebasePath(ctx: ConvertContext, _at: { line: number; path: string }, p: string, approx: (m: string) => void): string {
  if (p.startsWith('/') || p === '~' || p.startsWith('~/')) return p;
  if (ctx.composeDir === ctx.outDir) return p;
  if (p.includes('${')) {
    approx(`the relative path "${p}" holds a variable and is kept as written: it now resolves against ${ctx.outDir}, not ${ctx.composeDir}`);
    return p;
  }
  const rel = path.relative(ctx.outDir, path.resolve(ctx.composeDir, p)).split(path.sep).join('/');
  if (rel === '') return '.';
  return rel.startsWith('.') ? rel : `./${rel}`;
}
