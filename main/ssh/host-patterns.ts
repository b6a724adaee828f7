// Which known_hosts lines name a host, by OpenSSH's rules (hostfile.c, match.c): the name looked
// up is `host` for port 22 and `[host]:port` otherwise, lowercased; a line names it when one of its
// comma-separated patterns (with `*` and `?`) matches and none of its `!` patterns does; a hashed
// `|1|salt|hash` entry names it when HMAC-SHA1(salt, name) equals the hash.
import { createHmac, randomBytes } from 'node:crypto';

/** The name a known_hosts line must match for host:port (OpenSSH's put_host_port). */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** Glob match with `*` (any run, possibly empty) and `?` (one character); case-insensitive. */
export function globMatch(text: string, pattern: string): boolean {
  const s = text.toLowerCase();
  const p = pattern.toLowerCase();
  // Greedy scan with one backtrack point (the last `*`): linear in practice, no recursion.
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) { si++; pi++; continue; }
    if (pi < p.length && p[pi] === '*') { star = pi++; mark = si; continue; }
    if (star >= 0) { pi = star + 1; si = ++mark; continue; }
    return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * OpenSSH's match_hostname over a comma list: true when a positive pattern matches and no negated
 * one does. A negated match vetoes the whole line even if a positive one matches too.
 */
export function matchPatternList(name: string, patterns: readonly string[]): boolean {
  let positive = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (pattern === '') continue;
    if (globMatch(name, pattern)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

/** HMAC-SHA1 of the name keyed by the salt: the hash of a `|1|salt|hash` entry. */
export function hashedName(name: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

/** A `|1|salt|hash` host field for the name, as `ssh-keygen -H` and HashKnownHosts write it. */
export function hashKnownHostsName(name: string, salt: Buffer = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${hashedName(name, salt).toString('base64')}`;
}
