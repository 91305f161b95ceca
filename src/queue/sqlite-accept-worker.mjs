// Two helper threads of the SQLite store, so the event loop that answers GitLab never waits on
// the disk. The SQL comes from sqlite.ts (one place); this file only runs it. Plain JavaScript, so
// it loads the same under node, tsx and vitest.
// - the writer commits batches of accepted deliveries (each commit fsyncs: synchronous=FULL);
// - the checkpointer copies the WAL into the database now and then. Left to SQLite's automatic
//   checkpoint, that copy (~20 ms here) would run inside some commit and land on whichever
//   webhook was being acknowledged; PASSIVE runs beside the writer without blocking it. Under
//   steady load a PASSIVE checkpoint never sees the end of the WAL, so the file would only grow:
//   past WAL_LIMIT_FRAMES a RESTART (which briefly holds the writer back) starts it over.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { role, path, busyTimeoutMs, insertSql, wakeSql, isDeadSql, checkpointEveryMs } = workerData;
// fileMustExist: the store's own connection made the file; a thread that starts late (a busy
// machine) after the file was deleted must not create a new, empty one at the same path.
const db = new Database(path, { fileMustExist: true });
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
db.pragma('mmap_size = 0');

function closeOnRequest(beforeClose) {
  parentPort.on('message', (message) => {
    if (!message.close) return;
    beforeClose?.();
    db.close();
    parentPort.close();
  });
}

const WAL_LIMIT_FRAMES = 16000; // about 64 MB of 4 KiB pages

if (role === 'checkpointer') {
  const checkpoint = () => {
    try {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      if (result && result.log > WAL_LIMIT_FRAMES) db.pragma('wal_checkpoint(RESTART)');
    } catch {
      // busy or closing: the next tick tries again
    }
  };
  const timer = setInterval(checkpoint, checkpointEveryMs);
  closeOnRequest(() => {
    clearInterval(timer);
    checkpoint();
  });
} else {
  // Prepared on the first batch, not at start: the thread starts before the store has migrated
  // the schema these statements need.
  let commit = null;
  const prepare = () => {
    const insert = db.prepare(insertSql);
    const wake = db.prepare(wakeSql);
    const isDead = db.prepare(isDeadSql);
    return db.transaction((rows) => {
      const revived = [];
      const results = rows.map((row) => {
        if (insert.run(row).changes === 0) return 'duplicate';
        if (row.key !== null) {
          if (isDead.get(row.key) !== undefined) revived.push(row.key);
          wake.run({ key: row.key, due: row.receivedAt });
        }
        return 'stored';
      });
      return { results, revived };
    });
  };
  closeOnRequest();
  parentPort.on('message', (message) => {
    if (message.close) return;
    try {
      commit ??= prepare();
      parentPort.postMessage({ id: message.id, ...commit.immediate(message.rows) });
    } catch (err) {
      parentPort.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
