// The layering rule (in the spirit of VS Code's `code-layering`): every source file belongs to a
// layer, a folder (or one file) of the repo, and the table in eslint.config.js says what each
// layer MAY import: other layers' folders, Node built-ins, npm packages. Anything not listed is an
// error. Every way to reach a module is checked, because a ban that only sees static imports is
// routed around with `import()` the first time it is inconvenient.
import { isBuiltin } from 'node:module';
import path from 'node:path';

const SOURCE_EXT = /\.(?:[cm]?[jt]sx?|d\.ts)$/;

/** `a/b/c.ts` lies within `a/b` and within `a/b/c.js` (a file layer is named with either suffix). */
function within(target, prefix) {
  if (prefix === '') return true;
  const bare = target.replace(SOURCE_EXT, '');
  const barePrefix = prefix.replace(SOURCE_EXT, '');
  return target === prefix || target.startsWith(`${prefix}/`) || (bare === barePrefix && SOURCE_EXT.test(prefix));
}

/** The most specific layer holding a repo-relative path (a file layer beats its folder). */
function layerOf(layers, rel) {
  let best = null;
  for (const layer of layers) {
    if (within(rel, layer.path) && (!best || layer.path.length > best.path.length)) best = layer;
  }
  return best;
}

/** Minimal glob: `**` spans folders, `*` stays inside one path segment. */
function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i += 1;
      if (glob[i + 1] === '/') { i += 1; re += '(?:.*/)?'; } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function matchesPackage(name, patterns) {
  return patterns.some((p) => (p.endsWith('/*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/** What a layer may import, said the way the message needs it. */
function describeAllowance(allow) {
  const folders = allow.imports.length ? `${allow.imports.join(', ')} and its own folder` : 'only its own folder';
  const builtins = allow.builtins ? 'Node built-ins' : 'no Node built-ins';
  const packages = allow.packages.length ? `npm: ${allow.packages.join(', ')}` : 'no npm packages';
  const queries = allow.assetQueries.length ? `; asset imports ${allow.assetQueries.map((q) => `?${q}`).join(', ')}` : '';
  return `${folders}; ${builtins}; ${packages}${queries}`;
}

function compileOptions(raw) {
  const testGlobs = (raw.testFiles ?? []).map(globToRegExp);
  const layers = raw.layers.map((l) => ({
    path: l.path,
    imports: l.imports ?? [],
    builtins: l.builtins ?? false,
    packages: l.packages ?? [],
    assetQueries: l.assetQueries ?? [],
    note: l.note ?? '',
  }));
  const testAllowances = (raw.tests ?? []).map((t) => ({
    under: t.under,
    imports: t.imports ?? [],
    builtins: t.builtins ?? false,
    packages: t.packages ?? [],
  }));
  return { root: raw.root, layered: raw.layered ?? [], testGlobs, layers, testAllowances };
}

const cache = new WeakMap();
function compiled(options) {
  let c = cache.get(options);
  if (!c) { c = compileOptions(options); cache.set(options, c); }
  return c;
}

/** The allowance of a file: its layer's, widened for test code by the first matching `tests` row. */
function allowanceFor(opts, layer, rel, isTest) {
  const base = { imports: layer.imports, builtins: layer.builtins, packages: layer.packages, assetQueries: layer.assetQueries };
  if (!isTest) return base;
  const extra = opts.testAllowances.find((t) => within(rel, t.under));
  if (!extra) return base;
  return {
    imports: [...new Set([...base.imports, ...extra.imports])],
    builtins: base.builtins || extra.builtins,
    packages: [...new Set([...base.packages, ...extra.packages])],
    assetQueries: base.assetQueries,
  };
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer (folder) imports only what the layer table allows.' },
    schema: [{
      type: 'object',
      properties: {
        root: { type: 'string' },
        layered: { type: 'array', items: { type: 'string' } },
        testFiles: { type: 'array', items: { type: 'string' } },
        layers: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              path: { type: 'string' },
              imports: { type: 'array', items: { type: 'string' } },
              builtins: { type: 'boolean' },
              packages: { type: 'array', items: { type: 'string' } },
              assetQueries: { type: 'array', items: { type: 'string' } },
              note: { type: 'string' },
            },
            required: ['path'],
            additionalProperties: false,
          },
        },
        tests: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              under: { type: 'string' },
              imports: { type: 'array', items: { type: 'string' } },
              builtins: { type: 'boolean' },
              packages: { type: 'array', items: { type: 'string' } },
            },
            required: ['under'],
            additionalProperties: false,
          },
        },
      },
      required: ['root', 'layers'],
      additionalProperties: false,
    }],
    messages: {
      noLayer: '{{file}} is in no layer of the layer table (eslint.config.js): add its folder with what it may import.',
      folder: '{{layer}} may not import {{target}} ({{targetLayer}}). {{layer}} may import {{allowed}}.{{note}}',
      builtin: '{{layer}} may not import the Node built-in "{{specifier}}". {{layer}} may import {{allowed}}.{{note}}',
      package: '{{layer}} may not import the npm package "{{pkg}}". {{layer}} may import {{allowed}}.{{note}}',
      query: '{{layer}} may not use the asset import "{{specifier}}". {{layer}} may import {{allowed}}.{{note}}',
      testCode: '{{layer}} is shipped code and may not import test code ({{target}}).',
      nonLiteral: '{{how}} with a computed specifier in {{layer}}: the layer table cannot check it. Use a string literal.',
    },
  },

  create(context) {
    const opts = compiled(context.options[0]);
    const filename = context.physicalFilename ?? context.filename;
    const rel = path.relative(opts.root, filename).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel)) return {};
    const layer = layerOf(opts.layers, rel);
    if (!layer) {
      if (opts.layered.some((root) => within(rel, root))) {
        return { Program(node) { context.report({ node, messageId: 'noLayer', data: { file: rel } }); } };
      }
      return {};
    }
    const isTestPath = (p) => opts.testGlobs.some((re) => re.test(p));
    // A specifier names the emitted file (`./x.test-suite.js`), the globs the source (`*.test-suite.ts`).
    const isTestTarget = (p) => [p, p.replace(SOURCE_EXT, '.ts'), p.replace(SOURCE_EXT, '.tsx')].some(isTestPath);
    const isTest = isTestPath(rel);
    const allow = allowanceFor(opts, layer, rel, isTest);
    const name = layer.path;
    const note = layer.note ? ` (${layer.note})` : '';
    const allowed = describeAllowance(allow);
    const dir = path.posix.dirname(rel);

    /** `where` is the node (or comment) the report points at. */
    function check(where, specifier) {
      const loc = where.loc;
      const [bare, query] = specifier.split('?');
      if (query !== undefined && !allow.assetQueries.includes(query)) {
        context.report({ loc, messageId: 'query', data: { layer: name, specifier, allowed, note } });
        return;
      }
      if (bare.startsWith('.') || bare.startsWith('/')) {
        const target = bare.startsWith('/')
          ? path.relative(opts.root, bare).split(path.sep).join('/')
          : path.posix.normalize(path.posix.join(dir, bare));
        if (!within(target, name) && !allow.imports.some((p) => within(target, p))) {
          const targetLayer = layerOf(opts.layers, target);
          context.report({
            loc,
            messageId: 'folder',
            data: { layer: name, target, targetLayer: targetLayer ? `layer ${targetLayer.path}` : 'outside every layer', allowed, note },
          });
          return;
        }
        if (!isTest && isTestTarget(target)) {
          context.report({ loc, messageId: 'testCode', data: { layer: name, target } });
        }
        return;
      }
      if (isBuiltin(bare)) {
        if (!allow.builtins) context.report({ loc, messageId: 'builtin', data: { layer: name, specifier: bare, allowed, note } });
        return;
      }
      const pkg = packageName(bare);
      if (!matchesPackage(pkg, allow.packages)) {
        context.report({ loc, messageId: 'package', data: { layer: name, pkg, allowed, note } });
      }
    }

    /** A string literal or a template literal without expressions: the only specifiers we can check. */
    function literalValue(node) {
      if (!node) return null;
      if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
      if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
      return null;
    }

    function checkCall(node, arg, how) {
      const value = literalValue(arg);
      if (value === null) {
        if (arg && arg.type !== 'SpreadElement') context.report({ node, messageId: 'nonLiteral', data: { how, layer: name } });
        return;
      }
      check(arg, value);
    }

    // Names bound to a require function: `const req = createRequire(import.meta.url)`.
    const requireNames = new Set(['require']);
    const isCreateRequire = (callee) =>
      (callee.type === 'Identifier' && callee.name === 'createRequire') ||
      (callee.type === 'MemberExpression' && !callee.computed && callee.property.name === 'createRequire');

    return {
      Program() {
        // Triple-slash references pull in types (`types="node"`) or files just as an import does.
        for (const comment of context.sourceCode.getAllComments()) {
          if (comment.type !== 'Line') continue;
          const ref = /^\/\s*<reference\s+(types|path)\s*=\s*["']([^"']+)["']/.exec(comment.value);
          if (!ref) continue;
          const [, kind, value] = ref;
          if (kind === 'types' && value === 'node') {
            if (!allow.builtins) context.report({ loc: comment.loc, messageId: 'builtin', data: { layer: name, specifier: 'node (types)', allowed, note } });
          } else {
            check(comment, kind === 'path' && !value.startsWith('.') ? `./${value}` : value);
          }
        }
      },
      ImportDeclaration(node) { check(node.source, node.source.value); },
      ExportNamedDeclaration(node) { if (node.source) check(node.source, node.source.value); },
      ExportAllDeclaration(node) { check(node.source, node.source.value); },
      ImportExpression(node) { checkCall(node, node.source, 'import()'); },
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type === 'TSExternalModuleReference') {
          checkCall(node, node.moduleReference.expression, 'import = require()');
        }
      },
      TSImportType(node) {
        const source = node.source ?? node.argument?.literal;
        if (source) checkCall(node, source, 'import() type');
      },
      VariableDeclarator(node) {
        if (node.id.type === 'Identifier' && node.init?.type === 'CallExpression' && isCreateRequire(node.init.callee)) {
          requireNames.add(node.id.name);
        }
      },
      CallExpression(node) {
        const { callee } = node;
        const direct = callee.type === 'Identifier' && requireNames.has(callee.name);
        const resolve = callee.type === 'MemberExpression' && !callee.computed && callee.object.type === 'Identifier' &&
          requireNames.has(callee.object.name) && callee.property.name === 'resolve';
        const immediate = callee.type === 'CallExpression' && isCreateRequire(callee.callee);
        if (direct || resolve || immediate) checkCall(node, node.arguments[0], resolve ? 'require.resolve()' : 'require()');
      },
    };
  },
};
