// parseYaml and resolveAliases do what yaml does, only in linear time and within bounds: checked
// against yaml itself on thousands of mutated files.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlias, parseDocument, visit, type Alias, type Document } from 'yaml';
import { ProblemList } from './problems.js';
import { fuzzCase, fuzzSeeds } from './test-support/loader-fuzz.js';
import { resolveAliases } from './yaml-anchors.js';
import { lineIndex, parseYaml, YamlLimitError } from './yaml-parse.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const seeds = fuzzSeeds(ROOT);
// Small files only: yaml's own uniqueKeys and Alias.resolve, the references here, are quadratic.
const texts = Array.from({ length: 1200 }, (_, i) => fuzzCase(seeds, 99, i).text).filter((t) => t.length < 5000);

const errorsOf = (d: Document) => d.errors.filter((e) => e.code !== 'DUPLICATE_KEY').map((e) => `${e.code}@${e.pos[0]}`).sort();
const duplicatesOf = (d: Document) => d.errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => e.pos[0]);

describe('parseYaml', () => {
  it('reports exactly the duplicate keys yaml reports with uniqueKeys: true, and otherwise the same document', () => {
    let duplicates = 0;
    for (const t of texts) {
      const ours = parseYaml(t, { maxTokens: Infinity, maxDepth: Infinity });
      const theirs = parseDocument(t, { prettyErrors: false, uniqueKeys: true });
      expect(errorsOf(ours), t).toEqual(errorsOf(theirs));
      // The same duplicates; ours point at the key itself, yaml's sometimes at the indentation or
      // line break before it (or its anchor or tag).
      const [mine, yamls] = [duplicatesOf(ours), duplicatesOf(theirs)];
      expect(mine.length, t).toBe(yamls.length);
      mine.forEach((at, i) => expect(t.slice(yamls[i], at), t).toMatch(/^[\s-]*(?:[&!]\S*\s+)*$/));
      expect(ours.warnings.length).toBe(theirs.warnings.length);
      const text = (d: Document) => {
        try {
          return d.toString();
        } catch (err) {
          return `throws ${(err as Error).message}`;
        }
      };
      if (theirs.errors.length === 0) expect(text(ours)).toBe(text(theirs));
      duplicates += theirs.errors.filter((e) => e.code === 'DUPLICATE_KEY').length;
    }
    // The mutations make duplicate keys often enough for this to prove something.
    expect(duplicates).toBeGreaterThan(50);
  }, 180_000); // 2,400 parses: seconds alone, minutes beside other suites on 2 cores

  it('stops at the token budget with one located error', () => {
    const text = 'services:\n  - name: a\n    target: {type: Process, binary: x}\n';
    const d = parseYaml(text, { maxTokens: 12 });
    expect(d.toJS()).toBeNull();
    expect(d.errors).toHaveLength(1);
    expect(d.errors[0]).toBeInstanceOf(YamlLimitError);
    expect(d.errors[0].message).toContain('more than 12 YAML tokens');
    expect(lineIndex(text).linePos(d.errors[0].pos[0]).line).toBe(2);
    expect(parseYaml(text, { maxTokens: 1000 }).errors).toEqual([]);
  });

  it('refuses nesting deeper than the limit before yaml composes it, at the first place it happens', () => {
    const deep = `a:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`;
    const d = parseYaml(deep, { maxDepth: 64 });
    expect(d.errors.map((e) => e.message)).toEqual(['nesting deeper than 64 levels']);
    expect(lineIndex(deep).linePos(d.errors[0].pos[0]).line).toBe(65);
    // Exactly at the limit is fine: 64 nested maps hold a scalar.
    const ok = `a:\n${Array.from({ length: 63 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`;
    expect(parseYaml(ok, { maxDepth: 64 }).errors).toEqual([]);
  });

  it('lineIndex counts every line break, unlike yaml\'s LineCounter after `"""`', () => {
    const text = 'a: """\nb: 1\r\nc: 2\n';
    expect(lineIndex(text).lineStarts).toEqual([0, 7, 13, 18]);
  });
});

describe('resolveAliases', () => {
  it('maps every alias to the node yaml resolves it to, and reports those yaml cannot resolve', () => {
    let aliases = 0;
    for (const t of texts.filter((x) => x.includes('*'))) {
      const doc = parseDocument(t, { prettyErrors: false });
      if (doc.errors.length > 0) continue;
      const problems = new ProblemList('/f');
      const targets = resolveAliases(doc, lineIndex(t), problems);
      const all: Alias[] = [];
      visit(doc, { Alias: (_k, a) => void all.push(a) });
      let unresolved = 0;
      for (const a of all) {
        const theirs = a.resolve(doc);
        if (!theirs) unresolved++;
        else if (targets) expect(targets.get(a)).toBe(theirs);
      }
      aliases += all.length;
      if (unresolved > 0) {
        expect(targets).toBeUndefined();
        expect(problems.errorCount).toBeGreaterThanOrEqual(unresolved);
        const lines = t.split('\n');
        for (const p of problems.items.filter((x) => x.message.startsWith('unknown alias'))) expect(lines[p.line - 1][p.column - 1]).toBe('*');
      }
    }
    expect(aliases).toBeGreaterThan(150);
  });

  it('an alias is resolved to the last anchor of that name before it, keys included', () => {
    const text = 'a: &x 1\nb: *x\n&x k: 2\nc: *x\n';
    const doc = parseDocument(text);
    const targets = resolveAliases(doc, lineIndex(text), new ProblemList('/f'))!;
    const all: Alias[] = [];
    visit(doc, { Alias: (_k, a) => void all.push(a) });
    expect(all.map((a) => String((targets.get(a) as { value?: unknown }).value))).toEqual(['1', 'k']);
    expect(all.every((a) => isAlias(a) && targets.get(a) === a.resolve(doc))).toBe(true);
  });
});
