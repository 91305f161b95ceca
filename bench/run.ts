// `npm run bench`: every benchmark in one run, figures printed as they come. Nothing here is a
// test: targets are printed next to the figures, never asserted.
import { benchBoard } from './board.js';
import { benchGitLabCalls } from './gitlab-calls.js';
import { benchReceiver } from './receiver.js';

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

console.log(`Rhythm benchmarks — ${new Date().toISOString()} — node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
if (want('board')) {
  console.log('== column planner (pure) ==');
  await benchBoard();
}
if (want('calls')) {
  console.log('\n== GitLab calls (counted at the sandbox) ==');
  await benchGitLabCalls();
}
if (want('receiver')) {
  console.log('\n== webhook receiver (autocannon, 50 connections) ==');
  await benchReceiver();
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
