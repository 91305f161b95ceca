// The SQLite writer for accepted webhook deliveries, on a thread of its own: a commit's fsync then
// blocks this thread, not the event loop that answers GitLab. The SQL comes from sqlite.ts (one
// place); this file only runs it. Plain JavaScript, so it loads the same under node, tsx and vitest.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, busyTimeoutMs, insertSql, wakeSql } = workerData;
const db = new Database(path);
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const insert = db.prepare(insertSql);
const wake = db.prepare(wakeSql);
const commit = db.transaction((rows) =>
  rows.map((row) => {
    if (insert.run(row).changes === 0) return 'duplicate';
    if (row.key !== null) wake.run({ key: row.key, due: row.receivedAt });
    return 'stored';
  }),
);

parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: message.id, results: commit.immediate(message.rows) });
  } catch (err) {
    parentPort.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) });
  }
});
