// Seeded mutations of valid services.yaml files for fuzzing the loader. Case `i` of seed `s` is
// always the same text, so a failure is replayed with HARNESS_FUZZ_SEED=s HARNESS_FUZZ_CASE=i.
// Shared by main/config/fuzz.test.ts and bench/loader-fuzz.mjs; imports only node:fs and
// node:path (the bench bundles this file on its own).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/** Default seed of the CI run; HARNESS_FUZZ_SEED overrides it. */
export const DEFAULT_FUZZ_SEED = 20260801;

export interface FuzzCase {
  index: number;
  seedName: string;
  /** What was done to the seed, in order: enough to understand a failure without the text. */
  mutations: string[];
  text: string;
}

/** Small fixtures in the style of the unit tests, next to the example files. */
const FIXTURES: Array<[string, string]> = [
  [
    'fixture: list form with anchors',
    `name: demo
x-defaults: &d
  restart: {policy: on-failure, backoff: 100ms}
services:
  - name: store
    <<: *d
    target: {type: Process, binary: node, args: [store.js], ports: [7001], env: {A: "\${A:-1}"}}
    health_check: {type: tcp, interval: 50ms}
  - name: api
    target:
      type: Docker
      image: "nginx:1"
      ports: ["8080:80", 9000]
      volumes: [./d:/d]
    dependencies: [store]
    health_check: {type: http, path: /health, retries: 2}
`,
  ],
  [
    'fixture: map form, every target type',
    `services:
  web:
    target: {type: Process, binary: ./web, working_dir: app}
    dependencies: [api]
    health_check:
      type: log
      pattern: "listening on (\\\\d+)"
    stop_signal: SIGINT
    stop_grace_period: 1m30s
    ui: {position: {x: 1, y: 2}}
  api:
    target: {type: RemoteLan, host: h, user: u, binary: /srv}
    health_check: {type: command, command: [true]}
  peer:
    target: {type: Wireguard, host: h, user: u, package: p.tgz}
`,
  ],
  [
    'fixture: full list form (schema sample)',
    `name: demo
x-shared: {a: 1}
services:
  - name: store
    target: {type: Process, binary: node, args: [store.js, 7001], env: {A: 1}, ports: [7001]}
    health_check: {type: tcp, interval: 50ms, timeout: 1s, retries: 3, start_period: 30s}
    restart: {policy: on-failure, max_retries: 3, backoff: 250ms, max_backoff: 5s}
    stop_signal: SIGINT
    stop_grace_period: 2s
    ui: {position: {x: 1, y: 2.5}}
  - name: db
    target: {type: Docker, image: pg, ports: ["127.0.0.1:5432:5432", 80, "53:53/udp"], volumes: [./d:/d], build: ./docker, command: [pg]}
    dependencies: [store]
    health_check: {type: command, command: pg_isready}
    restart: always
  - name: edge
    target: {type: RemoteLan, host: h, user: u, binary: /x, ssh_port: 2222}
    health_check: {type: http, port: 80, path: /h, expect_status: 200}
`,
  ],
  [
    'fixture: block style with merges and interpolation',
    `x-proc: &proc
  type: Process
  binary: node
x-restart: &restart
  policy: always
  max_retries: 2
  backoff: 100ms
  max_backoff: 1s
services:
  a:
    target:
      <<: *proc
      args: ["\${A:-a.js}", --flag]
      env:
        PORT: "\${PORT:-7000}"
        MODE: \${MODE-dev}
      ports: ["\${PORT:-7000}"]
    restart: *restart
  b:
    target: {<<: *proc, args: [b.js]}
    dependencies:
      - a
    health_check:
      type: http
      url: http://127.0.0.1:7000/health
      expect_status: 204
`,
  ],
];

/** examples/<name>/services.yaml under `root`, then the inline fixtures. */
export function fuzzSeeds(root: string): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  const examples = path.join(root, 'examples');
  if (existsSync(examples)) {
    for (const dir of readdirSync(examples).sort()) {
      const f = path.join(examples, dir, 'services.yaml');
      if (existsSync(f)) out.push({ name: `examples/${dir}/services.yaml`, text: readFileSync(f, 'utf8') });
    }
  }
  for (const [name, text] of FIXTURES) out.push({ name, text });
  return out;
}

/** mulberry32: a tiny, well-distributed 32-bit PRNG; enough for picking mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The case's own generator: independent of every other case, so case i replays alone. */
function caseRng(seed: number, index: number): () => number {
  return rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

const UNICODE = ['é', 'ß', '€', '日本', '🙂', '👩‍👩‍👧', '\u200b', '\u202e', '\ufeff', '\u0000', '\u0007', '\ud800', '\udfff', '\u2028', '\u0085', 'İ', '\t', '\r', '\r\n', 'Ω'];
const INDICATORS = ['&a ', '&b ', '*a', '*b', '*nope', '<<: *a', '<<: [*a, *b]', '<<: ', '- ', ': ', '? ', '{', '}', '[', ']', ',', '"', "'", '|', '>-', '#', '---', '...', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n', '~', '${', '${X:?boom}', '${A:-${B:-${C}}}', '$$', '${1X}', '99999999999999999999999', '-1e309', '0x1F', '0o17', '.nan', '-.inf', '1_000', '2001-12-14t21:59:43.10-05:00', 'null', 'true', 'y', 'n'];
const TAGS = ['!!binary ', '!!set ', '!!omap ', '!!pairs ', '!!str ', '!!int ', '!!float ', '!!bool ', '!!null ', '!!map ', '!!seq ', '!!timestamp ', '!custom ', '!<tag:yaml.org,2002:str> ', '!! ', '!%zz '];
// Words of services.yaml, so mutations also make near-valid files (typos, wrong types).
const WORDS = ['services', 'name', 'target', 'type', 'Process', 'Docker', 'RemoteLan', 'Wireguard', 'binary', 'args', 'env', 'ports', 'image', 'dependencies', 'health_check', 'tcp', 'http', 'log', 'command', 'restart', 'policy', 'backoff', 'max_backoff', 'interval', 'start_interval', 'timeout', '0', '0ms', '5ms', '10ms', '1s', 'always', 'on-failure', 'SIGTERM', 'x-y'];

/** Lexical-ish tokens: runs of word characters, runs of spaces, or single punctuation. */
const TOKEN = /[A-Za-z0-9_.$/-]+|[ \t]+|\r?\n|[^A-Za-z0-9_.$/\s-]/g;

function tokens(text: string): Array<{ at: number; s: string }> {
  const out: Array<{ at: number; s: string }> = [];
  for (const m of text.matchAll(TOKEN)) out.push({ at: m.index!, s: m[0] });
  return out;
}

const splice = (t: string, at: number, del: number, ins: string) => t.slice(0, at) + ins + t.slice(at + del);

/** One mutation of `t`; `huge` allows the expensive kinds (long strings and lists, deep nesting). */
function mutateOnce(r: Rand, t: string, huge: boolean, log: string[]): string {
  const at = int(r, t.length + 1);
  const kinds = ['flip', 'flip', 'delete-token', 'delete-token', 'duplicate-token', 'duplicate-token', 'swap-tokens', 'delete-line', 'duplicate-line', 'swap-lines', 'indent-line', 'unicode', 'indicator', 'indicator', 'tag', 'word', 'anchor-alias', 'merge', 'duplicate-key', 'nest'];
  if (huge) kinds.push('huge-string', 'huge-list', 'deep-nest', 'alias-bomb', 'wide-map');
  const kind = pick(r, kinds);
  const lines = () => t.split('\n');
  switch (kind) {
    case 'flip': {
      const ch = r() < 0.5 ? String.fromCharCode(int(r, 128)) : String.fromCharCode(int(r, 0xffff));
      log.push(`flip@${at}=U+${ch.charCodeAt(0).toString(16)}`);
      return splice(t, at, 1, ch);
    }
    case 'delete-token':
    case 'duplicate-token': {
      const toks = tokens(t);
      if (toks.length === 0) return t;
      const k = pick(r, toks);
      log.push(`${kind}@${k.at}:${JSON.stringify(k.s.slice(0, 20))}`);
      return kind === 'delete-token' ? splice(t, k.at, k.s.length, '') : splice(t, k.at, 0, k.s);
    }
    case 'swap-tokens': {
      const toks = tokens(t);
      if (toks.length < 2) return t;
      let a = pick(r, toks);
      let b = pick(r, toks);
      if (a.at > b.at) [a, b] = [b, a];
      if (a.at === b.at) return t;
      log.push(`swap-tokens@${a.at},${b.at}`);
      return t.slice(0, a.at) + b.s + t.slice(a.at + a.s.length, b.at) + a.s + t.slice(b.at + b.s.length);
    }
    case 'delete-line':
    case 'duplicate-line':
    case 'indent-line': {
      const ls = lines();
      const i = int(r, ls.length);
      log.push(`${kind}:${i + 1}`);
      if (kind === 'delete-line') ls.splice(i, 1);
      else if (kind === 'duplicate-line') ls.splice(i, 0, ls[i]);
      else ls[i] = r() < 0.5 ? ` ${ls[i]}` : ls[i].replace(/^ /, '');
      return ls.join('\n');
    }
    case 'swap-lines': {
      const ls = lines();
      const a = int(r, ls.length);
      const b = int(r, ls.length);
      [ls[a], ls[b]] = [ls[b], ls[a]];
      log.push(`swap-lines:${a + 1},${b + 1}`);
      return ls.join('\n');
    }
    case 'unicode': {
      const u = Array.from({ length: 1 + int(r, 3) }, () => pick(r, UNICODE)).join('');
      log.push(`unicode@${at}:${JSON.stringify(u)}`);
      return splice(t, at, 0, u);
    }
    case 'indicator':
    case 'tag':
    case 'word': {
      const s = pick(r, kind === 'indicator' ? INDICATORS : kind === 'tag' ? TAGS : WORDS);
      const replace = kind === 'word' && r() < 0.5;
      const toks = replace ? tokens(t).filter((x) => /^[A-Za-z0-9_.$/-]+$/.test(x.s)) : [];
      if (replace && toks.length > 0) {
        const k = pick(r, toks);
        log.push(`word@${k.at}:${k.s}->${s}`);
        return splice(t, k.at, k.s.length, s);
      }
      log.push(`${kind}@${at}:${JSON.stringify(s)}`);
      return splice(t, at, 0, s);
    }
    case 'anchor-alias': {
      // An anchor on some value, and an alias to it somewhere else (possibly before it).
      const toks = tokens(t).filter((x) => /^[A-Za-z0-9_.$/-]+$/.test(x.s));
      if (toks.length < 2) return t;
      const a = pick(r, toks);
      const b = pick(r, toks);
      const name = pick(r, ['a', 'b', 'x']);
      log.push(`anchor&${name}@${a.at},alias@${b.at}`);
      let out = splice(t, b.at, b.s.length, `*${name}`);
      const shift = b.at < a.at ? name.length + 1 - b.s.length : 0;
      out = splice(out, a.at + shift, 0, `&${name} `);
      return out;
    }
    case 'merge': {
      const ls = lines();
      const i = int(r, ls.length);
      const indent = /^\s*(?:- )?/.exec(ls[i])![0].replace('-', ' ').length;
      const m = pick(r, ['<<: *a', '<<: *b', '<<: [*a, *b]', '<<: {k: v}', '<<: [1, 2]', '<<: *nope', '<<: null']);
      log.push(`merge:${i + 1}:${m}`);
      ls.splice(i + 1, 0, `${' '.repeat(indent)}${m}`);
      return ls.join('\n');
    }
    case 'duplicate-key': {
      const ls = lines();
      const keyed = ls.map((l, i) => ({ l, i })).filter((x) => /^\s*(?:- )?[A-Za-z_][\w-]*:/.test(x.l));
      if (keyed.length === 0) return t;
      const k = pick(r, keyed);
      log.push(`duplicate-key:${k.i + 1}`);
      ls.splice(k.i + 1, 0, k.l.replace(/^(\s*)- /, '$1  '));
      return ls.join('\n');
    }
    case 'nest': {
      const depth = 1 + int(r, 80);
      const open = pick(r, ['[', '{a: ', '[{b: ']);
      log.push(`nest@${at}:${JSON.stringify(open)}x${depth}`);
      return splice(t, at, 0, open.repeat(depth));
    }
    case 'deep-nest': {
      const depth = 50 + int(r, 2000);
      const style = int(r, 3);
      log.push(`deep-nest@${at}:style${style}x${depth}`);
      if (style === 0) return splice(t, at, 0, '['.repeat(depth) + ']'.repeat(int(r, depth)));
      if (style === 1) return splice(t, at, 0, `\n${Array.from({ length: Math.min(depth, 600) }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`);
      return splice(t, at, 0, '- '.repeat(depth));
    }
    case 'huge-string': {
      const n = 10_000 + int(r, 300_000);
      const unit = pick(r, ['x', 'ab ', '${X}', '$', '"', '\\"', 'é', '🙂', '\n  ']);
      const quote = pick(r, ['"', "'", '']);
      log.push(`huge-string@${at}:${JSON.stringify(unit)}x${n} quote=${quote}`);
      return splice(t, at, 0, quote + unit.repeat(Math.ceil(n / unit.length)) + quote);
    }
    case 'huge-list': {
      const n = 500 + int(r, 8_000);
      const item = pick(r, ['1', 'a', '"${X}"', '*a', '{}', '[]', 'svc']);
      const block = r() < 0.5;
      log.push(`huge-list@${at}:${item}x${n}${block ? ' block' : ''}`);
      const body = block ? `\n${Array.from({ length: n }, () => `  - ${item}`).join('\n')}\n` : `[${Array.from({ length: n }, () => item).join(', ')}]`;
      return splice(t, at, 0, body);
    }
    case 'alias-bomb': {
      const levels = 3 + int(r, 6);
      const fan = 2 + int(r, 6);
      const parts = ['x-l0: &l0 [lol, "${X}", lol]'];
      for (let i = 1; i < levels; i++) parts.push(`x-l${i}: &l${i} [${Array.from({ length: fan }, () => `*l${i - 1}`).join(', ')}]`);
      log.push(`alias-bomb:${levels}x${fan}`);
      return `${parts.join('\n')}\n${t}\n  - name: bomb\n    target: {type: Process, binary: x, args: *l${levels - 1}}\n`;
    }
    case 'wide-map': {
      const n = 500 + int(r, 6_000);
      const dup = r() < 0.3;
      log.push(`wide-map@${at}:${n}${dup ? ' with duplicates' : ''}`);
      return splice(t, at, 0, `{${Array.from({ length: n }, (_, i) => `k${dup ? i % 97 : i}: ${i}`).join(', ')}}`);
    }
  }
  return t;
}

/** Case `index` of the run with `seed`: 1-6 mutations of one seed file; about 1 case in 150 also
 * gets one expensive mutation (huge strings and lists, deep nesting, alias bombs, wide maps). */
export function fuzzCase(seeds: ReadonlyArray<{ name: string; text: string }>, seed: number, index: number): FuzzCase {
  const r = caseRng(seed, index);
  const base = pick(r, seeds);
  const mutations: string[] = [];
  let text = base.text;
  const n = 1 + int(r, 6);
  const hugeAt = r() < 1 / 150 ? int(r, n) : -1;
  for (let i = 0; i < n; i++) text = mutateOnce(r, text, i === hugeAt, mutations);
  return { index, seedName: base.name, mutations, text };
}

/** The seed of this run: HARNESS_FUZZ_SEED when set (a number), else the default. */
export function fuzzSeedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.HARNESS_FUZZ_SEED;
  if (v === undefined || v === '') return DEFAULT_FUZZ_SEED;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`HARNESS_FUZZ_SEED must be an integer 0-4294967295, got "${v}"`);
  return n;
}
