// yaml's parseDocument with bounds added, for files nobody should be able to hang us with:
// - a budget of lexical tokens: yaml's parser costs a few microseconds per token, so a dense
//   2 MiB file (a million-item list) took 5-10 s just to parse; the lexer is driven here token by
//   token and parsing stops, with a located error, once the budget is spent;
// - a nesting limit checked on the parser's output (CST) before yaml composes it: the composer is
//   recursive, and 900 levels of block indentation overflowed its stack;
// - the duplicate-key check in linear time: yaml's `uniqueKeys: true` compares each key with every
//   earlier key of its map (a 60,000-key map took 19.5 s); a Set per map finds the same
//   duplicates, reported as the same DUPLICATE_KEY errors in `doc.errors`, so every caller that
//   checks `doc.errors` sees no difference.
import {
  Composer,
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  YAMLParseError,
  type CST,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';
import { LIMITS } from './fields.js';
import { clip } from './problems.js';

export type YamlOptions = ParseOptions & DocumentOptions & SchemaOptions & { maxTokens?: number; maxDepth?: number };

/** A bound of ours (not a YAML syntax error): its message is meant to be shown as it is. */
export class YamlLimitError extends YAMLParseError {
  constructor(offset: number, message: string) {
    super([offset, offset + 1], 'RESOURCE_EXHAUSTION', message);
  }
}

class Refused extends Error {
  constructor(readonly error: YamlLimitError) {
    super(error.message);
  }
}

/** As yaml's `parseDocument(text, opts)`, except that errors are never prettified (messages stay
 * one line; `pos` holds the offsets), duplicate keys are found in linear time, and a text of more
 * than `maxTokens` lexical tokens (default LIMITS.maxYamlTokens) or with collections nested more
 * than `maxDepth` deep (default LIMITS.maxDepth) becomes an empty document with one
 * YamlLimitError, at the offset where the bound was crossed. */
export function parseYaml(text: string, opts: YamlOptions = {}): Document {
  const { maxTokens = LIMITS.maxYamlTokens, maxDepth = LIMITS.maxDepth, ...rest } = opts;
  const options = { ...rest, prettyErrors: false, uniqueKeys: false };
  const lc = options.lineCounter;
  const parser = new Parser(lc?.addNewLine);
  const composer = new Composer(options);
  function* tokens() {
    lc?.addNewLine(0); // Parser.parse() does this itself; here the parser is fed one token at a time
    let n = 0;
    for (const lexeme of new Lexer().lex(text)) {
      if (++n > maxTokens) {
        throw new Refused(new YamlLimitError(parser.offset, `the file has more than ${maxTokens} YAML tokens (the budget ran out here); a services.yaml this large is not supported`));
      }
      for (const token of parser.next(lexeme)) yield checkDepth(token, maxDepth);
    }
    for (const token of parser.end()) yield checkDepth(token, maxDepth);
  }
  let doc: Document.Parsed | undefined;
  try {
    for (const d of composer.compose(tokens(), true, text.length)) {
      if (!doc) doc = d;
      else if (doc.options.logLevel !== 'silent') {
        doc.errors.push(new YAMLParseError([d.range[0], d.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    const empty = new Document(null, options);
    empty.errors.push(err.error);
    return empty;
  }
  // compose(…, forceDoc = true) always yields a document.
  const parsed = doc!;
  for (const e of duplicateKeys(parsed, text)) parsed.errors.push(e);
  return parsed;
}

/** Throws Refused at the first collection (in file order) nested `max` deep that has items: the
 * rule the tree builder applies, checked here on the parser's output (CST), whose depth is the
 * document's (or one less, for `[a: 1]`). Iterative. */
function checkDepth(token: CST.Token, max: number): CST.Token {
  const stack: Array<{ t: CST.Token | null | undefined; depth: number }> = [{ t: token, depth: 0 }];
  while (stack.length > 0) {
    const { t, depth } = stack.pop()!;
    if (!t) continue;
    if (t.type === 'document') stack.push({ t: t.value, depth });
    else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      if (depth >= max && t.items.length > 0) throw new Refused(new YamlLimitError(t.offset, `nesting deeper than ${max} levels`));
      // Last item first, value before key: they pop in file order.
      for (let i = t.items.length - 1; i >= 0; i--) {
        const it = t.items[i];
        stack.push({ t: it.value, depth: depth + 1 });
        if ('key' in it) stack.push({ t: it.key, depth: depth + 1 });
      }
    }
  }
  return token;
}

/** Line starts of `text` for positions. yaml's own LineCounter, filled while parsing, misses a
 * line now and then in a broken file (found by the fuzz test: every problem after it was one line
 * off); this one is exact. Line breaks are `\n` and `\r\n`, as yaml's lexer has them. */
export function lineIndex(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  return lc;
}

/** Every key equal to an earlier key of the same map, as yaml would report it: scalar keys are
 * equal when their values are (`===`), other keys never. Iterative, so nesting depth is no risk. */
export function duplicateKeys(doc: Document, text: string): YAMLParseError[] {
  const out: YAMLParseError[] = [];
  let lc: LineCounter | undefined;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Map<unknown, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key;
        if (isScalar(key) && !Number.isNaN(key.value)) {
          const at = key.range?.[0] ?? 0;
          const first = seen.get(key.value);
          if (first === undefined) seen.set(key.value, at);
          else {
            lc ??= lineIndex(text);
            const line = lc.linePos(first).line;
            out.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', `Map keys must be unique: "${clip(String(key.value), 80)}" is repeated (first at line ${line})`));
          }
        } else if (key !== null) stack.push(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const it of node.items) stack.push(it);
    }
  }
  // The stack visits maps in no particular order; report in file order as yaml does.
  return out.sort((a, b) => a.pos[0] - b.pos[0]);
}
