// A store user to be killed with SIGKILL by crash.ts. Modes:
//   accept LOCATION            accept bursts of deliveries forever; print "stored <id>" after each accept resolved
//   claim LOCATION NOW LEASE   claim every due job at NOW for LEASE ms; print "claimed <key>" each, then "holding"
import { openStore, storeOptions } from '../../src/queue/open.js';

const [mode, location, nowArg, leaseArg] = process.argv.slice(2);
// As a command opens it: RHYTHM_SQLITE_SYNCHRONOUS from the environment (crash.ts sets it per suite).
const store = await openStore(location, process.cwd(), storeOptions(process.env));
if (process.env.RHYTHM_SQLITE_SYNCHRONOUS && store.sqliteSynchronous) {
  const { commits } = await store.sqliteSynchronous();
  if (commits !== process.env.RHYTHM_SQLITE_SYNCHRONOUS.toUpperCase()) throw new Error(`the store commits at ${commits}`);
}
const write = (line: string) => process.stdout.write(`${line}\n`);

if (mode === 'accept') {
  let n = 0;
  for (;;) {
    const burst = Array.from({ length: 25 }, () => {
      n += 1;
      const id = `crash-${process.pid}-${n}`;
      return store
        .accept({
          deliveryId: id,
          eventUuid: null,
          event: 'Issue Hook',
          key: `issue:g/p#${n % 7}`,
          payload: JSON.stringify({ n }),
          receivedAt: 1_750_000_000_000 + n,
        })
        .then(() => write(`stored ${id}`));
    });
    await Promise.all(burst);
  }
} else if (mode === 'claim') {
  const jobs = await store.claim(`child-${process.pid}`, 100, Number(leaseArg), Number(nowArg));
  for (const job of jobs) write(`claimed ${job.key}`);
  write('holding');
  setInterval(() => undefined, 60_000); // hold the claims until killed
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
