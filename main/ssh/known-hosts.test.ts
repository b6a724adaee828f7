// known_hosts parsing, matching and decisions, without a network: fingerprints and hashed names
// are cross-checked against OpenSSH's own ssh-keygen output.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../shared/errors.js';
import { decideHostKey, hostKeyError, knownKeyTypes } from './host-key-check.js';
import { displayKeyType, fingerprintOf, keyTypeOf, preferredHostKeyAlgorithms } from './host-key.js';
import { globMatch, hashKnownHostsName, knownHostsName, matchPatternList } from './host-patterns.js';
import { appendKnownHost } from './known-hosts-append.js';
import { entriesForHost, parseKnownHosts, readKnownHosts, type KnownHosts } from './known-hosts.js';

const haveKeygen = (await execa('sh', ['-c', 'command -v ssh-keygen'], { reject: false })).exitCode === 0;

interface Key { type: string; text: string; blob: Buffer; keygenFingerprint: string; keygenType: string }

let dir = '';
const keys: Record<string, Key> = {};

async function makeKey(name: string, type: string, bits?: number): Promise<Key> {
  const path = join(dir, name);
  await execa('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', name, '-f', path]);
  const text = (await readFile(`${path}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  const lf = (await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`])).stdout.trim();
  // "256 SHA256:xxxx comment (ED25519)"
  const [, fp] = lf.split(/\s+/);
  const keygenType = /\(([^)]+)\)$/.exec(lf)![1];
  const [t, b64] = text.split(' ');
  return { type: t, text, blob: Buffer.from(b64, 'base64'), keygenFingerprint: fp, keygenType };
}

const known = (text: string, file = 'known_hosts'): KnownHosts => {
  const p = parseKnownHosts(text, file);
  return { ...p, files: [file] };
};

describe.skipIf(!haveKeygen)(`known_hosts${haveKeygen ? '' : ' (skipped: ssh-keygen is missing)'}`, () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hx-known-hosts-'));
    keys.ed = await makeKey('ed', 'ed25519');
    keys.ed2 = await makeKey('ed2', 'ed25519');
    keys.ec = await makeKey('ec', 'ecdsa', 256);
    keys.rsa = await makeKey('rsa', 'rsa', 2048);
  }, 60_000);
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('computes SHA256 fingerprints and type names exactly as ssh-keygen -lf prints them', () => {
    for (const k of Object.values(keys)) {
      expect(fingerprintOf(k.blob)).toBe(k.keygenFingerprint);
      expect(fingerprintOf(k.blob)).not.toContain('=');
      expect(keyTypeOf(k.blob)).toBe(k.type);
      expect(displayKeyType(k.type)).toBe(k.keygenType);
    }
  });

  it('matches plain names, comma lists and [host]:port only for their own port', () => {
    const kh = known(`alpha,10.0.0.5,Beta.LAN ${keys.ed.text}\n[gamma]:2222 ${keys.ec.text}\n`);
    expect(entriesForHost(kh, 'alpha', 22)).toHaveLength(1);
    expect(entriesForHost(kh, '10.0.0.5', 22)).toHaveLength(1);
    expect(entriesForHost(kh, 'beta.lan', 22)).toHaveLength(1);
    expect(entriesForHost(kh, 'BETA.lan', 22)).toHaveLength(1);
    expect(entriesForHost(kh, 'alpha', 2222)).toHaveLength(0);
    expect(entriesForHost(kh, 'gamma', 2222)).toHaveLength(1);
    expect(entriesForHost(kh, 'gamma', 22)).toHaveLength(0);
    expect(knownHostsName('Gamma', 2222)).toBe('[gamma]:2222');
    expect(knownHostsName('gamma', 22)).toBe('gamma');
  });

  it('matches wildcards (* and ?) and lets a negated pattern veto the whole line', () => {
    expect(globMatch('web1.example.com', '*.example.com')).toBe(true);
    expect(globMatch('example.com', '*.example.com')).toBe(false);
    expect(globMatch('10.213.7.1', '10.213.?.1')).toBe(true);
    expect(globMatch('10.213.17.1', '10.213.?.1')).toBe(false);
    expect(globMatch('[db.lan]:2222', '[*.lan]:2222')).toBe(true);
    expect(globMatch('abc', 'a*b*c*')).toBe(true);
    expect(globMatch('ab', 'a*b*c')).toBe(false);
    expect(matchPatternList('secret.example.com', ['*.example.com', '!secret.example.com'])).toBe(false);
    expect(matchPatternList('www.example.com', ['*.example.com', '!secret.example.com'])).toBe(true);
    expect(matchPatternList('x', ['!y'])).toBe(false);
    const kh = known(`*.lan,!vault.lan ${keys.ed.text}\n[*.lan]:2222 ${keys.ec.text}\n`);
    expect(entriesForHost(kh, 'db.lan', 22)).toHaveLength(1);
    expect(entriesForHost(kh, 'vault.lan', 22)).toHaveLength(0);
    expect(entriesForHost(kh, 'db.lan', 2222)).toHaveLength(1);
  });

  it('hashes names with the HMAC-SHA1 scheme of ssh-keygen -H, both ways', async () => {
    const file = join(dir, 'to-hash');
    await writeFile(file, `alpha ${keys.ed.text}\n[10.1.2.3]:2200 ${keys.ec.text}\n`);
    await execa('ssh-keygen', ['-H', '-f', file]);
    const hashedText = await readFile(file, 'utf8');
    expect(hashedText).not.toContain('alpha');
    const kh = known(hashedText, file);
    expect(kh.entries.every((e) => e.hosts.kind === 'hashed')).toBe(true);
    expect(entriesForHost(kh, 'alpha', 22).map((e) => e.keyType)).toEqual(['ssh-ed25519']);
    expect(entriesForHost(kh, '10.1.2.3', 2200).map((e) => e.keyType)).toEqual(['ecdsa-sha2-nistp256']);
    expect(entriesForHost(kh, 'alpha', 2200)).toHaveLength(0);
    expect(entriesForHost(kh, 'beta', 22)).toHaveLength(0);
    // Same salt, same name: our field is byte-identical to ssh-keygen's.
    const first = hashedText.split('\n')[0].split(' ')[0];
    const salt = Buffer.from(first.split('|')[2], 'base64');
    expect(hashKnownHostsName('alpha', salt)).toBe(first);
    // And ssh-keygen finds a line we hashed.
    const ours = join(dir, 'ours-hashed');
    await writeFile(ours, `${hashKnownHostsName('[db.lan]:2222')} ${keys.ed2.text}\n`);
    const found = await execa('ssh-keygen', ['-F', '[db.lan]:2222', '-f', ours], { reject: false });
    expect(found.exitCode).toBe(0);
    expect(found.stdout).toContain(keys.ed2.text.split(' ')[1]);
  });

  it('accepts when ANY matching line holds the key, not only the first', () => {
    const kh = known(`host1 ${keys.ed.text}\nhost1 ${keys.ed2.text}\n`);
    expect(decideHostKey(kh, 'host1', 22, keys.ed2.blob)).toMatchObject({ kind: 'trusted', by: { line: 2 } });
    expect(decideHostKey(kh, 'host1', 22, keys.ed.blob)).toMatchObject({ kind: 'trusted', by: { line: 1 } });
  });

  it('calls a different key of a known type "changed" and lists every known fingerprint', () => {
    const kh = known(`host1 ${keys.ed.text}\nhost1 ${keys.ed2.text}\n`);
    const d = decideHostKey(kh, 'host1', 22, keys.rsa.blob);
    // An RSA key where only Ed25519 keys are known is not a change of the known keys: unknown.
    expect(d.kind).toBe('unknown');
    const changed = decideHostKey(known(`host1 ${keys.ed.text}\n`), 'host1', 22, keys.ed2.blob);
    expect(changed).toMatchObject({ kind: 'changed', known: [{ fingerprint: keys.ed.keygenFingerprint, line: 1 }] });
    const err = hostKeyError(changed as Exclude<typeof changed, { kind: 'trusted' }>, { host: 'host1', port: 22, key: keys.ed2.blob, files: ['known_hosts'], policy: 'accept-new' });
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toContain(keys.ed2.keygenFingerprint);
    expect(err.message).toContain(keys.ed.keygenFingerprint);
    expect(err.details).toMatchObject({ kind: 'host-key-changed', host: 'host1', port: 22, keyType: 'ssh-ed25519', fingerprint: keys.ed2.keygenFingerprint, knownFingerprints: [keys.ed.keygenFingerprint] });
  });

  it('never accepts a key matched by an @revoked line, even when another line trusts it', () => {
    const kh = known(`host1 ${keys.ed.text}\n@revoked * ${keys.ed.text}\n`);
    const d = decideHostKey(kh, 'host1', 22, keys.ed.blob);
    expect(d).toMatchObject({ kind: 'revoked', by: { line: 2 } });
    const err = hostKeyError(d as Exclude<typeof d, { kind: 'trusted' }>, { host: 'host1', port: 22, key: keys.ed.blob, files: ['known_hosts'], policy: 'strict' });
    expect(err.message).toMatch(/REVOKED/);
    expect(err.message).toContain('known_hosts:2');
    expect(err.details).toMatchObject({ kind: 'host-key-revoked' });
    // A revocation for another host does not apply here.
    expect(decideHostKey(known(`host1 ${keys.ed.text}\n@revoked host2 ${keys.ed.text}\n`), 'host1', 22, keys.ed.blob).kind).toBe('trusted');
  });

  it('says @cert-authority is not supported when only such a line names the host', () => {
    const kh = known(`@cert-authority *.lan ${keys.ec.text}\n`);
    const d = decideHostKey(kh, 'db.lan', 22, keys.ed.blob);
    expect(d).toMatchObject({ kind: 'unknown', certAuthorities: [{ line: 1 }] });
    const err = hostKeyError(d as Exclude<typeof d, { kind: 'trusted' }>, { host: 'db.lan', port: 22, key: keys.ed.blob, files: ['known_hosts'], policy: 'strict' });
    expect(err.message).toMatch(/@cert-authority/);
    expect(err.message).toMatch(/not supported/);
    expect(err.details).toMatchObject({ kind: 'host-key-unknown' });
  });

  it('names the host, port, key type and SHA256 fingerprint of an unknown key, and how to trust it', () => {
    const d = decideHostKey(known(''), '10.213.9.10', 2222, keys.ed.blob);
    const err = hostKeyError(d as Exclude<typeof d, { kind: 'trusted' }>, { host: '10.213.9.10', port: 2222, key: keys.ed.blob, files: ['/h/.ssh/known_hosts'], policy: 'strict' });
    expect(err.message).toContain('10.213.9.10 port 2222');
    expect(err.message).toContain('[10.213.9.10]:2222');
    expect(err.message).toContain(`ED25519 key fingerprint is ${keys.ed.keygenFingerprint}`);
    expect(err.message).toContain('harness trust 10.213.9.10 --port 2222');
    expect(err.details).toMatchObject({ kind: 'host-key-unknown', host: '10.213.9.10', port: 2222, keyType: 'ssh-ed25519', fingerprint: keys.ed.keygenFingerprint, publicKey: keys.ed.text });
  });

  it('asks for the known key types first, as OpenSSH orders HostKeyAlgorithms', () => {
    const kh = known(`h ${keys.rsa.text}\nh ${keys.ec.text}\nother ${keys.ed.text}\n`);
    const types = knownKeyTypes(kh, 'h', 22);
    expect(types).toEqual(['ssh-rsa', 'ecdsa-sha2-nistp256']);
    const algs = preferredHostKeyAlgorithms(types);
    expect(algs.slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ecdsa-sha2-nistp256']);
    expect(algs).toContain('ssh-ed25519');
    expect(new Set(algs).size).toBe(algs.length);
    expect(preferredHostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
  });

  it('reports malformed lines with their line numbers and keeps the good ones', () => {
    const p = parseKnownHosts([
      '# comment',
      '',
      `good ${keys.ed.text} a comment`,
      '@bogus host ssh-ed25519 AAAA',
      'onlyhost',
      `mismatch ssh-rsa ${keys.ed.text.split(' ')[1]}`,
      '|1|bad|hash ssh-ed25519 AAAA',
      `  indented\t${keys.ec.text}`,
    ].join('\n'), 'f');
    expect(p.entries.map((e) => e.line)).toEqual([3, 8]);
    expect(p.problems.map((x) => x.line)).toEqual([4, 5, 6, 7]);
    expect(p.problems[2].message).toMatch(/says ssh-rsa but the key is ssh-ed25519/);
  });

  it('appends to known_hosts creating ~/.ssh 0700 and the file 0600, [host]:port for other ports', async () => {
    const home = await mkdtemp(join(tmpdir(), 'hx-append-'));
    const file = join(home, '.ssh', 'known_hosts');
    await appendKnownHost({ file, host: '10.213.9.10', port: 22, key: keys.ed.blob });
    await appendKnownHost({ file, host: '10.213.9.10', port: 2222, key: keys.ec.blob });
    expect((await stat(join(home, '.ssh'))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text).toBe(`10.213.9.10 ${keys.ed.text}\n[10.213.9.10]:2222 ${keys.ec.text}\n`);
    const kh = await readKnownHosts([file, join(home, 'missing')]);
    expect(decideHostKey(kh, '10.213.9.10', 2222, keys.ec.blob).kind).toBe('trusted');
    expect(decideHostKey(kh, '10.213.9.10', 22, keys.ec.blob).kind).toBe('unknown');
    // A last line without its newline does not swallow the next entry.
    await writeFile(file, `other ${keys.ed2.text}`);
    await appendKnownHost({ file, host: 'h', port: 22, key: keys.ed.blob, hash: true });
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines[0]).toBe(`other ${keys.ed2.text}`);
    expect(lines[1]).toMatch(/^\|1\|/);
    const found = await execa('ssh-keygen', ['-F', 'h', '-f', file], { reject: false });
    expect(found.exitCode).toBe(0);
    await rm(home, { recursive: true, force: true });
  });
});
