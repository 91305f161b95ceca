#!/usr/bin/env node
// `npm run build`: compile src/ to dist/ (or to `--out-dir DIR`, a folder directly inside the
// repository, so the built files find schemas/, templates/ and package.json at the same `../..`
// they use from src/). Files tsc does not emit (the SQLite worker, .mjs) are copied as they are.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } } });
const out = resolve(repo, values['out-dir']);
if (dirname(out) !== resolve(repo)) {
  process.stderr.write(`build: --out-dir must be a folder directly inside the repository (got ${out})\n`);
  process.exit(2);
}

// bin/rhythm.js runs the build only while no source is newer than dist/cli.js; stamping cli.js with
// the time the build started means a source saved during the build counts as newer.
const started = new Date();
rmSync(out, { recursive: true, force: true });
const tsc = spawnSync(join(repo, 'node_modules/.bin/tsc'), ['-p', join(repo, 'tsconfig.build.json'), '--outDir', out], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  rmSync(out, { recursive: true, force: true });
  process.stderr.write('build: tsc failed; no build left behind\n');
  process.exit(1);
}

const src = join(repo, 'src');
let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(out, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied += 1;
}
utimesSync(join(out, 'cli.js'), started, started);
process.stdout.write(`build: src/ -> ${relative(repo, out)}/ (${copied} file(s) copied as they are)\n`);
