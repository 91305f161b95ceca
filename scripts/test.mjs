#!/usr/bin/env node
// `npm test`: type-check, lint, check the formatting, then run vitest, then print the one plain
// summary line CI reads; each check that fails counts as one failed test. Extra arguments are
// passed to vitest (e.g. `npm test -- test/rules`); the checks always cover the whole project.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const args = process.argv.slice(2);
const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

const tsc = spawnSync(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], { stdio: 'inherit' });
const typecheckFailed = tsc.status !== 0;
console.log(typecheckFailed ? 'typecheck: FAILED' : 'typecheck: ok');

const eslint = spawnSync(bin('eslint'), ['.'], { stdio: 'inherit' });
const lintFailed = eslint.status !== 0;
console.log(lintFailed ? 'lint: FAILED' : 'lint: ok');

const prettier = spawnSync(bin('prettier'), ['--check', '.'], { stdio: 'inherit' });
const formatFailed = prettier.status !== 0;
console.log(formatFailed ? 'format: FAILED' : 'format: ok');

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
// vitest failed without a failed test (an unhandled error, say): count that before the checks,
// so that a failed check does not hide it.
if (vitest.status !== 0 && failed === 0) failed += 1;
failed += [typecheckFailed, lintFailed, formatFailed].filter(Boolean).length;

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
