// Two helper threads of the SQLite store, so the event loop that answers GitLab never waits on
// the disk, nor on SQLite's write lock. The writes come from sqlite-writes.mjs (one place); this
// file only runs them. Plain JavaScript, so it loads the same under node, tsx and vitest.
// - the writer commits batches of writes — accepted deliveries, and the worker's claims,
//   completions, failures and wakes — each batch one transaction (one fsync at synchronous=FULL, the default).
//   With every write of the process on this one connection, the event loop never busy-waits for
//   the lock, and a worker reconciling cards costs the receiver no fsync of its own;
// - the checkpointer copies the WAL into the database now and then. Left to SQLite's automatic
//   checkpoint, that copy (~20 ms here) would run inside some commit and land on whichever
//   webhook was being acknowledged; PASSIVE runs beside the writer without blocking it. Under
//   steady load a PASSIVE checkpoint never sees the end of the WAL, so the file would only grow:
//   past WAL_LIMIT_FRAMES a RESTART (which briefly holds the writer back) starts it over.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createWrites } from './sqlite-writes.mjs';

const { role, path, busyTimeoutMs, checkpointEveryMs, synchronous } = workerData;
// fileMustExist: the store's own connection made the file; a thread that starts late (a busy
// machine) after the file was deleted must not create a new, empty one at the same path.
const db = new Database(path, { fileMustExist: true });
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
db.pragma('journal_mode = WAL');
// FULL unless the operator chose NORMAL (RHYTHM_SQLITE_SYNCHRONOUS, see sqlite.ts).
db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
db.pragma('wal_autocheckpoint = 0');
db.pragma('mmap_size = 0');

// A close request taken off the port along with writes (the writer drains the port) is honoured
// once those writes are committed.
let closing = false;
let onClose = null;
function close() {
  onClose?.();
  db.close();
  parentPort.close();
}

function closeOnRequest(beforeClose) {
  onClose = beforeClose ?? null;
  parentPort.on('message', (message) => {
    if (message.close) close();
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
  const writes = createWrites(db);
  closeOnRequest();
  parentPort.on('message', (first) => {
    if (first.close) return;
    // Every batch that came in while the last commit was on its way to disk joins this one: one
    // transaction, one fsync, whatever the number of batches the event loop handed over meanwhile.
    const messages = [first];
    for (let next = receiveMessageOnPort(parentPort); next; next = receiveMessageOnPort(parentPort)) {
      if (next.message.close) {
        closing = true;
        break;
      }
      messages.push(next.message);
    }
    const items = messages.flatMap((m) => m.items);
    let results = null;
    let error = null;
    try {
      results = writes.run(items);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    let at = 0;
    for (const m of messages) {
      if (error !== null) parentPort.postMessage({ id: m.id, error });
      else parentPort.postMessage({ id: m.id, results: results.slice(at, at + m.items.length) });
      at += m.items.length;
    }
    if (closing) close();
  });
}
