// Startup benchmark: the wall time of `rhythm --help` and `rhythm --version`, through tsx (what a
// fresh clone runs) and through the build (what bin/rhythm.js runs once `npm run build` is fresh).
// It runs `npm run build` first, so it leaves a fresh dist/ behind.
// Run alone: npx tsx bench/startup.ts

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const RUNS = 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median wall time in ms of `node ...args` over RUNS runs, after one unmeasured warm-up run. */
function timeNode(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = performance.now();
    const run = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = performance.now() - start;
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${String(run.stderr)}`);
    if (i > 0) times.push(ms);
  }
  return Math.round(median(times));
}

export function benchStartup(): Record<string, number | string> {
  const buildStart = performance.now();
  const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  if (build.status !== 0) throw new Error(`npm run build failed: ${String(build.stderr)}`);
  const result: Record<string, number | string> = { 'startup.build_s': Number(((performance.now() - buildStart) / 1000).toFixed(1)) };
  for (const flag of ['--help', '--version']) {
    const name = flag.slice(2);
    // The sources through tsx, as bin/rhythm.js runs them when there is no fresh build.
    result[`startup.tsx_${name}_median_ms`] = timeNode(['--import', 'tsx', 'src/cli.ts', flag]);
    // bin/rhythm.js with the fresh build: its mtime check of src/, then dist/cli.js.
    result[`startup.build_${name}_median_ms`] = timeNode(['bin/rhythm.js', flag]);
  }
  result['startup.node_empty_median_ms'] = timeNode(['-e', '']);
  const met = Number(result['startup.build_help_median_ms']) < 500 && Number(result['startup.build_version_median_ms']) < 500;
  result['startup.target'] = `build under 500 ms: ${met ? 'met' : 'NOT met'}`;
  for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(36)} ${value}`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchStartup();
}
