// `build:` to Harness `build` (context, dockerfile). Harness builds with the engine's classic
// builder from a local directory, so remote contexts and BuildKit options are reported.
import path from 'node:path';
import { get, type CNode } from './compose-tree.js';
import type { ServiceScope } from './context.js';
import { scalarText } from './values.js';

const REASONS: Record<string, string> = {
  args: "Harness passes no build arguments; the Dockerfile's ARG defaults apply",
  target: 'Harness builds the last stage of the Dockerfile',
  secrets: 'Harness passes no build secrets',
  ssh: 'Harness passes no SSH agent to the build',
  cache_from: 'Harness uses the engine\'s local layer cache only',
  cache_to: 'Harness uses the engine\'s local layer cache only',
  additional_contexts: 'Harness sends one build context',
  labels: 'Harness sets no image labels',
  network: 'Harness builds with the engine\'s default build network',
  extra_hosts: 'Harness adds no build-time host entries',
  shm_size: 'Harness sets no build resource limits',
  ulimits: 'Harness sets no build resource limits',
  isolation: 'Harness builds with the engine\'s default isolation',
  privileged: 'Harness runs no privileged builds',
  platforms: 'Harness builds for the engine\'s own platform',
  tags: 'Harness tags the build with `image` only',
  pull: 'Harness does not re-pull base images on build',
  no_cache: 'Harness builds with the layer cache',
  entitlements: 'Harness grants no build entitlements',
  provenance: 'Harness builds with the classic builder (no attestations)',
  sbom: 'Harness builds with the classic builder (no attestations)',
};

const isRemote = (ctx: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(ctx) || ctx.startsWith('git@') || /\.git(#.*)?$/.test(ctx);

/** The Harness `build` value, or undefined when there is nothing Harness can build. */
export function mapBuild(n: CNode, s: ServiceScope): string | Record<string, string> | undefined {
  if (n.kind === 'scalar') {
    const ctx = scalarText(n);
    if (ctx === undefined) {
      s.notConverted(n, 'expected a path or a map {context, dockerfile}');
      return undefined;
    }
    return context(ctx, n, s);
  }
  if (n.kind !== 'map') {
    s.notConverted(n, 'expected a path or a map {context, dockerfile}');
    return undefined;
  }
  for (const e of n.entries) {
    if (e.key === 'context' || e.key === 'dockerfile' || e.key === 'dockerfile_inline') continue;
    s.notConverted(s.child(n, e.key), REASONS[e.key] ?? (e.key.startsWith('x-') ? 'an extension field; there is no place for it in a Harness build' : `unknown build field "${e.key}"`));
  }
  const inline = get(n, 'dockerfile_inline');
  if (inline) {
    // Building the context's own Dockerfile instead would make another image than Compose does.
    s.notConverted(s.child(n, 'dockerfile_inline'), 'Harness builds from a Dockerfile in the context only, so the service gets no build: its image is used when local, else pulled');
    return undefined;
  }
  const ctxNode = get(n, 'context');
  const ctx = context(scalarText(ctxNode) ?? '.', ctxNode ?? n, s);
  if (ctx === undefined) return undefined;
  const df = get(n, 'dockerfile');
  const dockerfile = scalarText(df);
  if (df && dockerfile === undefined) s.notConverted(df, 'expected a file name');
  if (dockerfile === undefined) return ctx;
  if (path.isAbsolute(dockerfile)) {
    s.notConverted(df as CNode, 'an absolute Dockerfile path; Harness takes it relative to the context');
    return ctx;
  }
  return { context: ctx, dockerfile: s.refs(df as CNode, dockerfile) };
}

function context(ctx: string, at: CNode, s: ServiceScope): string | undefined {
  if (isRemote(ctx)) {
    s.notConverted(at, `a remote build context (${ctx}); Harness builds from a local directory — clone it and point build at the clone`);
    return undefined;
  }
  return s.hostPath(at, s.refs(at, ctx));
}
