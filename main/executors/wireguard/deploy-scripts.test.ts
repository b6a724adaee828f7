// The switch transaction of the deploy helper (deploy-scripts.ts), run for real on an SSH test
// host: with no word from the supervisor its watchdog restores the previous release at the
// deadline (the supervisor killed, or its connection lost, in the middle of a switch); a commit
// before the deadline makes the new release final and the watchdog leaves it; an abort restores
// at once; whoever decides first wins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { waitUntil } from '../remote-lan/test-support/remote-stack.js';
import { DEPLOY_SCRIPT, DEPLOY_SCRIPTS } from './deploy-scripts.js';

const skip = await testHostsSkipReason();

const LIB = '/tmp/hx-deploy-lib';
const A = '20250101T000000Z-aaaaaaaaaaaa';
const B = '20250102T000000Z-bbbbbbbbbbbb';

describe.skipIf(skip !== null)(`the deploy helper's switch transaction on a real host${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let h: TestHost;
  let n = 0;

  const helper = (args: string[]) => h.run(['sh', `${LIB}/${DEPLOY_SCRIPT.name}`, ...args]);
  const target = async (svc: string, name: string) => (await h.run(['readlink', `${svc}/${name}`])).stdout.trim();
  /** A service directory with releases A and B, A current, and an empty run directory. */
  const service = async () => {
    const svc = `/opt/hx-tx/s${++n}`;
    const run = `/tmp/hx-tx-run/s${n}`;
    const r = await h.run(['sh', '-c', `mkdir -p ${svc}/releases/${A} ${svc}/releases/${B} ${run} && ln -s releases/${A} ${svc}/current`]);
    expect(r.exitCode, r.stderr).toBe(0);
    return { svc, run };
  };

  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    await h.run(['mkdir', '-p', LIB]);
    for (const s of DEPLOY_SCRIPTS) await h.run(['sh', '-c', `cat > ${LIB}/${s.name}`], { input: s.text });
  }, 120_000);

  afterAll(async () => {
    await set?.destroy();
  }, 60_000);

  it('restores the previous release by itself when the supervisor never answers (the watchdog)', async () => {
    const { svc, run } = await service();
    expect((await helper(['begin', svc, run, 'd1', A, B, '10', 'TERM', '5'])).stdout.trim()).toBe('ok 0');
    expect((await helper(['switch', svc, A, B])).stdout.trim()).toBe('ok');
    expect(await target(svc, 'current')).toBe(`releases/${B}`);
    expect(await target(svc, 'previous')).toBe(`releases/${A}`);
    // Nothing more from the supervisor: at the deadline (1 s) the watchdog puts A back.
    await waitUntil('the watchdog\'s restore', async () => h.exists(`${svc}/deploy-d1.result`), 15_000);
    expect((await h.readFile(`${svc}/deploy-d1.result`)).toString().trim()).toBe(`rolled-back ${A}`);
    expect(await target(svc, 'current')).toBe(`releases/${A}`);
    expect(await h.exists(`${svc}/deploy`)).toBe(false);
    expect((await h.readFile(`${run}/deploy.log`)).toString()).toContain('deploy d1: no word from the supervisor within its deadline; restoring the previous release');
    // A commit that comes too late is told what happened instead.
    expect((await helper(['commit', svc, 'd1'])).stdout.trim()).toBe(`rolled-back ${A}`);
  }, 30_000);

  it('keeps the new release once committed; the watchdog then leaves it alone', async () => {
    const { svc, run } = await service();
    expect((await helper(['begin', svc, run, 'd2', A, B, '15', 'TERM', '5'])).stdout.trim()).toBe('ok 0');
    await helper(['switch', svc, A, B]);
    expect((await helper(['commit', svc, 'd2'])).stdout.trim()).toBe('ok');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await target(svc, 'current')).toBe(`releases/${B}`);
    expect((await h.readFile(`${svc}/deploy-d2.result`)).toString().trim()).toBe('ok');
    expect(await h.exists(`${svc}/deploy`)).toBe(false);
  }, 30_000);

  it('restores at once on an abort, and a journal left by an interrupted deploy is restored before the next begins', async () => {
    const { svc, run } = await service();
    await helper(['begin', svc, run, 'd3', A, B, '600', 'TERM', '5']);
    await helper(['switch', svc, A, B]);
    expect((await helper(['abort', svc, run, 'd3', 'TERM', '5', '100', '0'])).stdout.trim()).toBe(`rolled-back ${A}`);
    expect(await target(svc, 'current')).toBe(`releases/${A}`);

    // d4 is interrupted after its switch (no commit, a long deadline); d5 begins: d4 is restored first.
    await helper(['begin', svc, run, 'd4', A, B, '600', 'TERM', '5']);
    await helper(['switch', svc, A, B]);
    expect((await helper(['state', svc, run])).stdout).toContain('journal d4');
    expect((await helper(['begin', svc, run, 'd5', A, B, '600', 'TERM', '5'])).stdout.trim()).toBe('ok 0');
    expect(await target(svc, 'current')).toBe(`releases/${A}`);
    expect((await helper(['state', svc, run])).stdout).toContain('journal d5');
    await helper(['abort', svc, run, 'd5', 'TERM', '5', '100', '0']);
  }, 30_000);
});
