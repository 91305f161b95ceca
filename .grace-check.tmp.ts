import { startSandbox } from '/work/main/src/sandbox/index.js';
import { spawnServe } from '/work/main/test/support/serve-process.js';
import { testDatabase, dropTestDatabases } from '/work/main/test/support/postgres.js';
const sandbox = await startSandbox();
for (const [db, hz] of [['sqlite::memory:', true], [await testDatabase(), false], [await testDatabase(), true]] as const) {
  const p = await spawnServe({ gitlabUrl: sandbox.url, databaseUrl: db! });
  if (hz) await (await fetch(`${p.url}/healthz`)).text();
  const t = Date.now();
  await p.kill('SIGTERM');
  console.log(db!.slice(0, 8), hz, 'exit after', Date.now() - t, 'ms');
}
await sandbox.close();
await dropTestDatabases();
