// `harness import` through the built binary: output, exit codes, refusing to overwrite, -o,
// repeatable --profile, a result that does not validate, and usage errors.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from './test-support/cli-harness.js';

const FIXTURES = join(ROOT, 'main', 'compose', 'test-fixtures');
let dir: string;
const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', HARNESS_STATE_DIR: join(dir, 'state') });
const run = (args: string[], cwd = dir) => runCli(['import', ...args], { cwd, env: env() });

describe('harness import', () => {
  beforeAll(async () => {
    ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'harness-cli-import-'));
    for (const f of ['monitoring', 'profiles', 'minimal']) cpSync(join(FIXTURES, f), join(dir, f), { recursive: true });
  }, 200_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes services.yaml beside the compose file, prints each loss, and the result validates', async () => {
    const r = await run(['docker-compose.yml'], join(dir, 'monitoring'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const expected = readFileSync(join(FIXTURES, 'monitoring', 'expected-losses.txt'), 'utf8').trimEnd().split('\n');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, expected.length)).toEqual(expected);
    expect(lines[expected.length]).toBe(
      'wrote services.yaml: 4 services (prometheus, alertmanager, nodeexporter, grafana); 11 field(s) not converted or approximated (listed above, and in the file\'s comments)',
    );
    const v = await runCli(['validate', '-f', 'services.yaml'], { cwd: join(dir, 'monitoring'), env: env() });
    expect(v.stdout.trim()).toBe('services.yaml: OK (4 services)');
    expect(v.code).toBe(0);
  });

  it('refuses to overwrite without --force (exit 2), replaces with it', async () => {
    const again = await run(['docker-compose.yml'], join(dir, 'monitoring'));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('harness: services.yaml already exists; use --force to replace it, or -o to write another file');
    const forced = await run(['docker-compose.yml', '--force'], join(dir, 'monitoring'));
    expect(forced.code).toBe(0);
  });

  it('writes where -o says, imports the profiles given (repeatable), says nothing was lost', async () => {
    const r = await run(['profiles/docker-compose.yml', '-o', 'out.yaml', '--profile', 'debug', '--profile', 'bench']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote out.yaml: 5 services (app, db, adminer, mailhog, loadtest)');
    expect(readFileSync(join(dir, 'out.yaml'), 'utf8')).toContain('  loadtest:');
    const m = await run(['minimal/docker-compose.yml', '-o', 'minimal.yaml']);
    expect(m.stdout.trim()).toBe('wrote minimal.yaml: 1 service (web); nothing lost');
  });

  it('exits 1 when the result does not validate, and names the problem', async () => {
    await writeFile(join(dir, 'needs-tag.yml'), 'services:\n  app:\n    image: "example/app:${TAG:?set TAG to the release}"\n');
    const r = await run(['needs-tag.yml', '-o', 'needs-tag.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^needs-tag\.yaml:\d+:\d+: error: services\.app\.target\.image: .*set TAG to the release/m);
    expect(r.stdout).toContain('needs-tag.yaml: 1 error(s); fix them, then check with `harness validate -f needs-tag.yaml`');
    expect(existsSync(join(dir, 'needs-tag.yaml'))).toBe(true);
  });

  it('reports a compose file with a YAML error at its line (exit 1), and writes nothing', async () => {
    await writeFile(join(dir, 'bad.yml'), 'services:\n  web:\n    image: [nginx\n');
    const r = await run(['bad.yml', '-o', 'bad.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bad\.yml:\d+:1: error: YAML syntax error/m);
    expect(existsSync(join(dir, 'bad.yaml'))).toBe(false);
    const missing = await run(['nope.yml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('harness: cannot read the compose file nope.yml: not found');
  });

  it('usage errors exit 2; help is listed', async () => {
    expect((await run([])).code).toBe(2);
    const two = await run(['a.yml', 'b.yml']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('one compose file at a time');
    const opt = await run(['a.yml', '--forse']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('unknown option --forse for `harness import` (did you mean --force?)');
    const help = await runCli(['help', 'import'], { cwd: dir, env: env() });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: harness import COMPOSE_FILE \[-o FILE\] \[--force\] \[--profile NAME\]\.\.\./);
    const top = await runCli(['--help'], { cwd: dir, env: env() });
    expect(top.stdout).toMatch(/^ {2}import +Convert a docker-compose file into services\.yaml/m);
  });
});
