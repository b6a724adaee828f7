// The part-A corpus as whole packages (each with a valid start.sh, so only the hostile member
// makes it fail): the node-tar advisories and the other escapes, with the rule and member the
// checker must name. archive-check.test.ts covers every variant at the checker; this list is
// what the deploy tests send through a whole `up`.
import type { ArchiveRule } from '../archive-rejection.js';
import type { TestEntry } from './archives.js';

const START: TestEntry = { name: 'start.sh', mode: 0o755, data: '#!/bin/sh\nexec sleep 1000\n' };

export interface CorpusCase {
  name: string;
  entries: TestEntry[];
  rule: ArchiveRule;
  member: string;
}

const chain: TestEntry[] = [START, { name: 'a/', type: 'directory' }, { name: 'a/l1', type: 'symlink', linkname: '..' }, { name: 'l2', type: 'symlink', linkname: 'a/l1/..' }];

export const CORPUS: readonly CorpusCase[] = [
  { name: 'GHSA-r628-mhmh-qjhw', entries: [START, { name: 'a/', type: 'directory' }, { name: 'a', type: 'symlink', linkname: '/tmp' }, { name: 'a/x', data: 'pwned' }], rule: 'duplicate', member: 'a' },
  { name: 'GHSA-3jfq-g458-7qm9', entries: [START, { name: '////tmp/hx-pwned' }], rule: 'absolute-path', member: '////tmp/hx-pwned' },
  { name: 'GHSA-9r2w-394v-53qc backslash', entries: [START, { name: '..\\..\\x' }], rule: 'backslash', member: '..\\..\\x' },
  { name: 'GHSA-9r2w-394v-53qc case', entries: [START, { name: 'README' }, { name: 'readme' }], rule: 'case-collision', member: 'readme' },
  { name: 'GHSA-qq89-hq3f-393p', entries: [START, { name: 'caf\u00e9' }, { name: 'cafe\u0301' }], rule: 'unicode-collision', member: 'cafe\u0301' },
  { name: 'CVE-2026-26960', entries: [...chain, { name: 'exfil', type: 'link', linkname: 'l2/etc/passwd' }], rule: 'hardlink-target', member: 'exfil' },
  { name: 'absolute link target', entries: [START, { name: 'etc', type: 'symlink', linkname: '/etc' }], rule: 'link-absolute', member: 'etc' },
  { name: 'hardlink traversal', entries: [START, { name: 'h', type: 'link', linkname: '../../etc/passwd' }], rule: 'link-escape', member: 'h' },
  { name: 'deep nesting', entries: [START, { name: `${Array.from({ length: 65 }, (_, i) => `d${i}`).join('/')}/f` }], rule: 'too-deep', member: `${Array.from({ length: 65 }, (_, i) => `d${i}`).join('/')}/f` },
  { name: 'device', entries: [START, { name: 'null', type: 'character-device' }], rule: 'special-file', member: 'null' },
];
