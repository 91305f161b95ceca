#!/usr/bin/env node
// `npm test`: type-check, then run vitest, then print the one plain summary line CI reads.
// Extra arguments are passed to vitest (e.g. `npm test -- test/rules`).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const args = process.argv.slice(2);
const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

const tsc = spawnSync(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], { stdio: 'inherit' });
const typecheckFailed = tsc.status !== 0;
console.log(typecheckFailed ? 'typecheck: FAILED' : 'typecheck: ok');

const report = '.vitest.json';
rmSync(report, { force: true });
const vitest = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...args], {
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  // A suite that fails to load has no tests counted; count it as a failure.
  failed += r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} catch {
  failed += 1; // vitest died before writing its report
}
if (typecheckFailed) failed += 1;
if (vitest.status !== 0 && failed === 0) failed += 1;

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
