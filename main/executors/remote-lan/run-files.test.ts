// What is read from and written to a run directory: the watch's blocks, the env file (values one
// quoted word each, names a shell can assign), exit statuses as a shell reports them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envFileText, exitInfoOf, parseWatchBlock } from './run-files.js';

describe('run files', () => {
  it('parses a watch block: states, run ids, config hashes and log sizes', () => {
    const runs = parseWatchBlock([
      'api run r1 h1', 'db exit 3 r2 h2', 'old gone r3 h3', 'fresh new r4 h4', 'x.y-z exit 143 r5 h5',
      '--', '12 api/stdout.log', '0 api/stderr.log', '7 x.y-z/stdout.log',
    ]);
    expect(runs.get('api')).toEqual({ service: 'api', state: { kind: 'run' }, runId: 'r1', configHash: 'h1', stdout: 12, stderr: 0 });
    expect(runs.get('db')).toEqual({ service: 'db', state: { kind: 'exit', code: 3 }, runId: 'r2', configHash: 'h2' });
    expect(runs.get('old')?.state).toEqual({ kind: 'gone' });
    expect(runs.get('fresh')?.state).toEqual({ kind: 'new' });
    expect(runs.get('x.y-z')).toMatchObject({ state: { kind: 'exit', code: 143 }, stdout: 7 });
  });

  it('maps 128 + n to the signal n, other codes as they are', () => {
    expect(exitInfoOf(0)).toEqual({ code: 0, signal: null });
    expect(exitInfoOf(3)).toEqual({ code: 3, signal: null });
    expect(exitInfoOf(143)).toEqual({ code: null, signal: 'SIGTERM' });
    expect(exitInfoOf(137)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exitInfoOf(130)).toEqual({ code: null, signal: 'SIGINT' });
  });

  it('writes an env file a shell sources to exactly the values, and refuses names it cannot assign', () => {
    const env = { A: "it's $(x) `y`; z\nnext", B_2: '', _C: 'ünï ✓' };
    const text = envFileText(env, { service: 's', file: 'f.yaml' });
    const dir = mkdtempSync(join(tmpdir(), 'hx-env-'));
    writeFileSync(join(dir, 'env'), text);
    const out = execFileSync('sh', ['-c', '. "$1"; printf "%s\\0" "$A" "$B_2" "$_C"', 'sh', join(dir, 'env')]).toString();
    rmSync(dir, { recursive: true, force: true });
    expect(out.split('\0').slice(0, -1)).toEqual([env.A, env.B_2, env._C]);
    expect(() => envFileText({ 'my-var': '1' }, { service: 's', file: 'f.yaml' })).toThrow(/s: environment variable name "my-var" cannot be set on a remote host.*in f\.yaml/);
    expect(() => envFileText({ '1A': '1' }, { service: 's', file: 'f.yaml' })).toThrow(/not starting with a digit/);
  });
});
