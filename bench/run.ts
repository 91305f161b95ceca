// `npm run bench`: every benchmark in one run, figures printed as they come. Nothing here is a
// test: targets are printed next to the figures, never asserted.
import { benchBoard } from './board.js';
import { benchGitLabCalls } from './gitlab-calls.js';
import { benchSweepCalls } from './calls-sweep.js';
import { benchMarkdown } from './markdown.js';
import { benchReceiver } from './receiver.js';
import { benchStartup } from './startup.js';

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

console.log(
  `Rhythm benchmarks — ${new Date().toISOString()} — node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`,
);
if (want('board')) {
  console.log('== column planner (pure) ==');
  await benchBoard();
}
if (want('markdown')) {
  console.log('\n== readers of GitLab text, 1 MB of the worst shapes (pure) ==');
  await benchMarkdown();
}
if (want('startup')) {
  console.log('\n== rhythm startup (--help, --version; median of 10 runs) ==');
  benchStartup();
}
if (want('calls')) {
  console.log('\n== GitLab calls (counted at the sandbox) ==');
  await benchGitLabCalls();
  console.log('\n== GitLab calls of sweeps and events with the card memory, 200 / 1,000 / 10,000 ready cards (issue 13) ==');
  await benchSweepCalls();
}
if (want('receiver')) {
  console.log('\n== webhook receiver (autocannon, 50 connections) ==');
  const results = await benchReceiver();
  for (const [key, value] of Object.entries(results)) console.log(`${key.padEnd(36)} ${value}`);
  const met =
    (results['ratio.rhythm_over_bare'] ?? 0) >= 0.5 &&
    (results['ratio.rhythm_over_express'] ?? 0) >= 1 &&
    (results['rhythm.p99_ms'] ?? Infinity) <= 15;
  console.log(`targets (c/a >= 0.5, c/b >= 1.0, p99 <= 15 ms): ${met ? 'met' : 'NOT met'}`);
}
if (want('replicas')) {
  console.log('\n== end-to-end deliveries per second: SQLite, PostgreSQL ×1, ×3 ==');
  try {
    const { benchReplicas } = await import('./replicas.js');
    await benchReplicas();
  } catch (err) {
    console.log(`replicas benchmark unavailable: ${(err as Error).message}`);
  }
}
