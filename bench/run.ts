// `npm run bench`: every benchmark in one run, figures printed as they come. Nothing here is a
// test: targets are printed next to the figures, never asserted.
import { benchBoard } from './board.js';
import { benchGitLabCalls } from './gitlab-calls.js';
import { benchSweepCalls } from './calls-sweep.js';
import { benchMarkdown } from './markdown.js';
import { benchReceiver, formatReceiver } from './receiver.js';
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
  console.log('\n== webhook receiver (autocannon, 50 connections, a fresh delivery per request; median of interleaved rounds) ==');
  console.log(formatReceiver(await benchReceiver()));
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
