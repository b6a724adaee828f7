// Sums the non-vitest checks and vitest's JSON report into the one closing line CI reads.
import { existsSync, readFileSync } from 'node:fs';

const [checksFile, vitestFile, vitestRc] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

for (const line of readFileSync(checksFile, 'utf8').split('\n').filter(Boolean)) {
  if (line.startsWith('pass ')) passed++;
  else {
    failed++;
    console.log(`FAILED check: ${line.slice(5)}`);
  }
}

if (existsSync(vitestFile)) {
  const report = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  for (const file of report.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
        console.log(`skipped: ${t.fullName}`);
      }
    }
    // A suite that failed to load has no assertions but must still count as a failure.
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
      failed++;
      console.log(`FAILED suite: ${file.name}: ${(file.message ?? '').split('\n')[0]}`);
    }
  }
} else {
  failed++;
  console.log('FAILED: vitest produced no report');
}
if (Number(vitestRc) !== 0 && failed === 0) {
  failed++;
  console.log(`FAILED: vitest exited ${vitestRc}`);
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
