// The one suite every Store adapter must pass. Time is passed in explicitly (`now`), so nothing
// here sleeps: "after the lease expires" is just a later `now`.
import { afterEach, describe, expect, it } from 'vitest';
import type { CardMemoryRow } from '../../src/queue/card-memory.js';
import type { ClaimedJob, IncomingDelivery, RevivedBy, Store } from '../../src/queue/contract.js';

/**
 * `open` gives a fresh, empty, not yet migrated store. `reopen` (optional) gives another,
 * not yet migrated instance on the same storage as `store`, as a second process would.
 */
export type OpenStore = () => Promise<Store>;
export type ReopenStore = (store: Store) => Promise<Store>;

const T0 = 1_750_000_000_000;
const LEASE = 30_000;

let seq = 0;
export function delivery(key: string | null, over: Partial<IncomingDelivery> = {}): IncomingDelivery {
  seq += 1;
  return {
    deliveryId: `d-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    eventUuid: `uuid-${seq}`,
    event: 'Issue Hook',
    key,
    payload: JSON.stringify({ object_kind: 'issue', n: seq }),
    // Before T0 and in creation order, so a default delivery is due in every test and sorts first.
    receivedAt: T0 - 1_000_000 + seq,
    ...over,
  };
}

export function describeStoreContract(name: string, open: OpenStore, reopen?: ReopenStore): void {
  describe(`${name} store contract`, () => {
    const opened: Store[] = [];

    async function fresh(): Promise<Store> {
      const store = await open();
      opened.push(store);
      await store.migrate();
      return store;
    }

    async function second(store: Store): Promise<Store> {
      if (!reopen) throw new Error('this adapter gives no second instance');
      const other = await reopen(store);
      opened.push(other);
      await other.migrate();
      return other;
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    // --- inbox ---------------------------------------------------------------------------------

    it('stores a delivery once and reports the second copy as a duplicate', async () => {
      const store = await fresh();
      const d = delivery('issue:g/p#1');
      expect(await store.hasDelivery(d.deliveryId)).toBe(false);
      expect(await store.accept(d)).toBe('stored');
      expect(await store.accept({ ...d, payload: '{"changed":true}' })).toBe('duplicate');
      expect(await store.hasDelivery(d.deliveryId)).toBe(true);

      const [job, ...rest] = await store.claim('w1', 10, LEASE, T0 + 1000);
      expect(rest).toEqual([]);
      expect(job?.deliveries).toEqual([
        { deliveryId: d.deliveryId, eventUuid: d.eventUuid, event: d.event, payload: d.payload, receivedAt: d.receivedAt },
      ]);
    });

    it('reports exactly one of two concurrent copies of a delivery as stored', async () => {
      const store = await fresh();
      const d = delivery('issue:g/p#2');
      const results = await Promise.all([store.accept(d), store.accept(d), store.accept({ ...d })]);
      expect(results.filter((r) => r === 'stored')).toHaveLength(1);
      expect(results.filter((r) => r === 'duplicate')).toHaveLength(2);
    });

    it('stores a delivery with no key without creating work', async () => {
      const store = await fresh();
      const d = delivery(null, { event: 'Push Hook' });
      expect(await store.accept(d)).toBe('stored');
      expect(await store.hasDelivery(d.deliveryId)).toBe(true);
      expect(await store.claim('w1', 10, LEASE, T0 + 1000)).toEqual([]);
      expect((await store.stats(T0 + 1000)).deliveries).toBe(0);
    });

    it('keeps every delivery whose accept resolved when close() follows at once', async () => {
      const store = await fresh();
      const ds = Array.from({ length: 20 }, () => delivery('issue:g/p#3'));
      const accepted = ds.map((d) => store.accept(d));
      const closing = store.close();
      expect(await Promise.all(accepted)).toEqual(ds.map(() => 'stored'));
      await closing;
      if (!reopen) return;
      const again = await second(store);
      for (const d of ds) expect(await again.hasDelivery(d.deliveryId)).toBe(true);
    });

    // What outlives a process is for adapters that have storage to reopen (not the memory store).
    it.skipIf(!reopen)('keeps deliveries and work across close and reopen', async () => {
      const store = await fresh();
      const ds = [delivery('issue:g/p#4'), delivery('issue:g/p#4'), delivery('issue:g/p#5')];
      for (const d of ds) await store.accept(d);
      await store.enqueue('column:g/p:status:scheduled', T0);
      await store.close();

      const again = await second(store);
      for (const d of ds) expect(await again.hasDelivery(d.deliveryId)).toBe(true);
      const jobs = await again.claim('w1', 10, LEASE, T0 + 1000);
      expect(jobs.map((j) => [j.key, j.deliveries.length]).sort()).toEqual([
        ['column:g/p:status:scheduled', 0],
        ['issue:g/p#4', 2],
        ['issue:g/p#5', 1],
      ]);
    });

    // --- coalescing and per-key serialization ---------------------------------------------------

    it('coalesces fifty events for one issue into one job carrying all fifty, oldest first', async () => {
      const store = await fresh();
      const ds = Array.from({ length: 50 }, () => delivery('issue:g/p#10'));
      // Arrive in shuffled order; the job still lists them by receivedAt.
      const shuffled = [...ds].sort(() => Math.random() - 0.5);
      expect(new Set(await Promise.all(shuffled.map((d) => store.accept(d))))).toEqual(new Set(['stored']));

      const jobs = await store.claim('w1', 10, LEASE, T0 + 1000);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.key).toBe('issue:g/p#10');
      expect(jobs[0]?.attempts).toBe(0);
      expect(jobs[0]?.deliveries.map((d) => d.deliveryId)).toEqual(ds.map((d) => d.deliveryId));
      expect(await store.claim('w2', 10, LEASE, T0 + 1000)).toEqual([]);

      await store.complete(jobs[0] as ClaimedJob, T0 + 2000);
      expect(await store.claim('w1', 10, LEASE, T0 + 3000)).toEqual([]);
      expect(await store.stats(T0 + 3000)).toMatchObject({ pending: 0, running: 0, deliveries: 0 });
    });

    it.skipIf(!reopen)('coalesces events for one issue accepted by two instances at once into one job', async () => {
      const a = await fresh();
      const b = await second(a);
      const ds = Array.from({ length: 40 }, () => delivery('issue:g/p#13'));
      const results = await Promise.all(ds.map((d, i) => (i % 2 ? a : b).accept(d)));
      expect(results.every((r) => r === 'stored')).toBe(true);
      const jobs = [...(await a.claim('w1', 10, LEASE, T0)), ...(await b.claim('w2', 10, LEASE, T0))];
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.deliveries.map((d) => d.deliveryId)).toEqual(ds.map((d) => d.deliveryId));
    });

    it('runs a key woken while running exactly once more, with only the new deliveries', async () => {
      const store = await fresh();
      const first = delivery('issue:g/p#11');
      await store.accept(first);
      const [job] = await store.claim('w1', 10, LEASE, T0 + 1000);
      if (!job) throw new Error('expected a job');

      // Three wakes while it runs: two events and a timer.
      const late = [delivery('issue:g/p#11', { receivedAt: T0 + 1100 }), delivery('issue:g/p#11', { receivedAt: T0 + 1200 })];
      for (const d of late) await store.accept(d);
      await store.enqueue('issue:g/p#11', T0 + 1300);
      // Still leased: nobody else may take it now.
      expect(await store.claim('w2', 10, LEASE, T0 + 1400)).toEqual([]);

      await store.complete(job, T0 + 1500);
      const again = await store.claim('w2', 10, LEASE, T0 + 1600);
      expect(again).toHaveLength(1);
      expect(again[0]?.deliveries.map((d) => d.deliveryId)).toEqual(late.map((d) => d.deliveryId));

      await store.complete(again[0] as ClaimedJob, T0 + 1700);
      expect(await store.claim('w1', 10, LEASE, T0 + 1800)).toEqual([]);
    });

    it('finishes a key that was not woken while running', async () => {
      const store = await fresh();
      await store.enqueue('column:g/p:status:scheduled', T0);
      const [job] = await store.claim('w1', 10, LEASE, T0);
      expect(job?.deliveries).toEqual([]);
      await store.complete(job as ClaimedJob, T0 + 10);
      expect(await store.claim('w1', 10, LEASE, T0 + 10 * LEASE)).toEqual([]);
      expect(await store.stats(T0 + 20)).toMatchObject({ pending: 0, running: 0, dead: 0 });
    });

    it('keeps the delayed due time of a wake that arrived while the key was running', async () => {
      const store = await fresh();
      await store.enqueue('issue:g/p#12', T0);
      const [job] = await store.claim('w1', 10, LEASE, T0);
      await store.enqueue('issue:g/p#12', T0 + 100, 5000);
      await store.complete(job as ClaimedJob, T0 + 200);
      expect(await store.claim('w1', 10, LEASE, T0 + 5099)).toEqual([]);
      expect(await store.claim('w1', 10, LEASE, T0 + 5100)).toHaveLength(1);
    });

    it('hands each due key to one claimer, up to max, earliest due first', async () => {
      const store = await fresh();
      await store.enqueue('issue:g/p#22', T0 + 20);
      await store.enqueue('issue:g/p#20', T0);
      await store.enqueue('issue:g/p#21', T0 + 10);
      const a = await store.claim('w1', 2, LEASE, T0 + 100);
      const b = await store.claim('w2', 2, LEASE, T0 + 100);
      expect(a.map((j) => j.key)).toEqual(['issue:g/p#20', 'issue:g/p#21']);
      expect(b.map((j) => j.key)).toEqual(['issue:g/p#22']);
      expect(new Set([...a, ...b].map((j) => j.claim)).size).toBe(3);
      expect(await store.claim('w3', 0, LEASE, T0 + 100)).toEqual([]);
    });

    it('never leases a key twice at once under many concurrent claimers, and loses no work', async () => {
      const a = await fresh();
      const stores = reopen ? [a, await second(a)] : [a];
      const keys = Array.from({ length: 6 }, (_, i) => `issue:g/p#${100 + i}`);
      const sent = new Set<string>();
      const processed = new Set<string>();
      const holders = new Map<string, string>();
      const violations: string[] = [];
      let now = T0;
      let producing = true;

      const producer = async (store: Store, n: number) => {
        for (let i = 0; i < n; i++) {
          const d = delivery(keys[i % keys.length] as string, { receivedAt: now });
          sent.add(d.deliveryId);
          await store.accept(d);
          if (i % 7 === 0) await new Promise((r) => setImmediate(r));
        }
      };
      const worker = async (store: Store, id: string) => {
        let idle = 0;
        while (producing || idle < 3) {
          now += 1;
          const jobs = await store.claim(id, 2, LEASE, now);
          if (jobs.length === 0) {
            idle += 1;
            await new Promise((r) => setImmediate(r));
            continue;
          }
          idle = 0;
          for (const job of jobs) {
            const holder = holders.get(job.key);
            if (holder) violations.push(`${job.key} leased to ${id} while ${holder} held it`);
            holders.set(job.key, id);
          }
          await new Promise((r) => setImmediate(r));
          for (const job of jobs) {
            holders.delete(job.key);
            for (const d of job.deliveries) processed.add(d.deliveryId);
            await store.complete(job, now);
          }
        }
      };

      const workers = Array.from({ length: 6 }, (_, i) => worker(stores[i % stores.length] as Store, `w${i}`));
      await Promise.all(stores.map((s) => producer(s, 150)));
      producing = false;
      await Promise.all(workers);

      expect(violations).toEqual([]);
      expect(processed.size).toBe(sent.size);
      expect((await a.stats(now)).deliveries).toBe(0);
    });

    // --- leases ----------------------------------------------------------------------------------

    it('lets another worker take a job whose lease expired, and the first one loses it', async () => {
      const store = await fresh();
      const d = delivery('issue:g/p#30');
      await store.accept(d);
      const [mine] = await store.claim('w1', 10, 1000, T0);
      if (!mine) throw new Error('expected a job');
      expect(mine.leaseUntil).toBe(T0 + 1000);

      expect(await store.claim('w2', 10, 1000, T0 + 999)).toEqual([]);
      expect(await store.stats(T0 + 999)).toMatchObject({ running: 1, pending: 0 });
      expect(await store.stats(T0 + 1000)).toMatchObject({ running: 0, pending: 1, oldestPendingAgeMs: 0 });

      const [theirs] = await store.claim('w2', 10, 1000, T0 + 1000);
      expect(theirs?.key).toBe('issue:g/p#30');
      expect(theirs?.claim).not.toBe(mine.claim);
      expect(theirs?.attempts).toBe(0);
      expect(theirs?.deliveries.map((x) => x.deliveryId)).toEqual([d.deliveryId]);

      // The first holder's late calls change nothing about the new holder's lease.
      expect(await store.renew(mine, 1000, T0 + 1001)).toBe(false);
      await store.fail(mine, 'late failure', T0 + 1002, T0 + 1002);
      await store.release(mine, T0 + 1003);
      await store.complete(mine, T0 + 1004);
      expect(await store.claim('w3', 10, 1000, T0 + 1500)).toEqual([]);
      expect(await store.dead()).toEqual([]);
      expect(await store.renew(theirs as ClaimedJob, 1000, T0 + 1600)).toBe(true);
    });

    it('renews a held lease, which keeps others out until the new end', async () => {
      const store = await fresh();
      await store.enqueue('issue:g/p#31', T0);
      const [job] = await store.claim('w1', 1, 1000, T0);
      if (!job) throw new Error('expected a job');
      expect(await store.renew(job, 1000, T0 + 500)).toBe(true);
      expect(job.leaseUntil).toBe(T0 + 1500);
      expect(await store.claim('w2', 1, 1000, T0 + 1200)).toEqual([]);
      expect(await store.claim('w2', 1, 1000, T0 + 1500)).toHaveLength(1);
    });

    it('reports a lease as lost after the job was completed', async () => {
      const store = await fresh();
      await store.enqueue('issue:g/p#32', T0);
      const [job] = await store.claim('w1', 1, 1000, T0);
      await store.complete(job as ClaimedJob, T0 + 10);
      expect(await store.renew(job as ClaimedJob, 1000, T0 + 20)).toBe(false);
    });

    // --- failure, backoff, dead jobs --------------------------------------------------------------

    it('retries a failed job at retryAt, not before, with its deliveries and attempts counted', async () => {
      const store = await fresh();
      const d = delivery('issue:g/p#40');
      await store.accept(d);
      const [job] = await store.claim('w1', 1, LEASE, T0 + 100);
      await store.fail(job as ClaimedJob, 'GitLab said 502', T0 + 5000, T0 + 200);

      expect(await store.stats(T0 + 300)).toMatchObject({ pending: 1, running: 0, oldestPendingAgeMs: 0 });
      expect(await store.claim('w1', 1, LEASE, T0 + 4999)).toEqual([]);
      // A new event during the backoff does not cut it short.
      await store.accept(delivery('issue:g/p#40', { receivedAt: T0 + 4000 }));
      await store.enqueue('issue:g/p#40', T0 + 4000);
      expect(await store.claim('w1', 1, LEASE, T0 + 4999)).toEqual([]);

      const [retry] = await store.claim('w1', 1, LEASE, T0 + 5000);
      expect(retry?.attempts).toBe(1);
      expect(retry?.deliveries).toHaveLength(2);
      await store.fail(retry as ClaimedJob, 'again', T0 + 9000, T0 + 5001);
      const [third] = await store.claim('w1', 1, LEASE, T0 + 9000);
      expect(third?.attempts).toBe(2);
      await store.complete(third as ClaimedJob, T0 + 9001);

      // Success resets the count.
      await store.enqueue('issue:g/p#40', T0 + 9002);
      const [fresh4] = await store.claim('w1', 1, LEASE, T0 + 9003);
      expect(fresh4?.attempts).toBe(0);
      expect(fresh4?.deliveries).toEqual([]);
    });

    it('parks a job as dead, lists it, and replays it on request', async () => {
      const store = await fresh();
      const d = delivery('issue:g/p#41');
      await store.accept(d);
      await store.enqueue('issue:g/p#42', T0 + 300);
      let [job] = await store.claim('w1', 1, LEASE, T0 + 100);
      await store.fail(job as ClaimedJob, 'first', T0 + 200, T0 + 150);
      [job] = await store.claim('w1', 1, LEASE, T0 + 200);
      expect(job?.key).toBe('issue:g/p#41');
      await store.fail(job as ClaimedJob, 'permission denied', null, T0 + 300);

      [job] = await store.claim('w1', 1, LEASE, T0 + 400);
      expect(job?.key).toBe('issue:g/p#42');
      await store.fail(job as ClaimedJob, 'not found', null, T0 + 500);

      expect(await store.dead()).toEqual([
        { key: 'issue:g/p#42', attempts: 1, lastError: 'not found', failedAt: T0 + 500 },
        { key: 'issue:g/p#41', attempts: 2, lastError: 'permission denied', failedAt: T0 + 300 },
      ]);
      expect(await store.stats(T0 + 600)).toMatchObject({ pending: 0, running: 0, dead: 2, deliveries: 1 });
      // Parked: nothing of it is claimed while nothing wakes it.
      expect(await store.claim('w1', 10, LEASE, T0 + 10_000_000)).toEqual([]);

      expect(await store.retryDead(['issue:g/p#41', 'issue:g/p#nope'], T0 + 800)).toBe(1);
      expect(await store.retryDead(['issue:g/p#41'], T0 + 800)).toBe(0);
      const [replay] = await store.claim('w1', 10, LEASE, T0 + 800);
      expect(replay?.key).toBe('issue:g/p#41');
      expect(replay?.attempts).toBe(0);
      expect(replay?.strikes).toBe(0);
      expect(replay?.deliveries.map((x) => x.deliveryId)).toEqual([d.deliveryId]);

      expect(await store.retryDead(undefined, T0 + 900)).toBe(1);
      expect(await store.dead()).toEqual([]);
      expect((await store.claim('w1', 10, LEASE, T0 + 900)).map((j) => j.key)).toEqual(['issue:g/p#42']);
    });

    /** A dead job for `key` (failed twice, the second time parked), with one delivery of its own. */
    async function deadJob(store: Store, key: string): Promise<IncomingDelivery> {
      const d = delivery(key);
      await store.accept(d);
      let [job] = await store.claim('w1', 1, LEASE, T0 + 100);
      await store.fail(job as ClaimedJob, 'first', T0 + 200, T0 + 150);
      [job] = await store.claim('w1', 1, LEASE, T0 + 200);
      await store.fail(job as ClaimedJob, 'permission denied', null, T0 + 300);
      expect((await store.dead()).map((x) => x.key)).toEqual([key]);
      return d;
    }

    it('revives a dead key on its next delivery: due at once, a clean slate, old and new deliveries', async () => {
      const store = await fresh();
      const told: [string, RevivedBy][] = [];
      store.onRevive((key, by) => told.push([key, by]));
      const first = await deadJob(store, 'issue:g/p#43');

      const later = delivery('issue:g/p#43', { receivedAt: T0 + 700 });
      expect(await store.accept(later)).toBe('stored');
      expect(told).toEqual([['issue:g/p#43', 'delivery']]);
      expect(await store.dead()).toEqual([]);
      expect(await store.stats(T0 + 700)).toMatchObject({ pending: 1, dead: 0, retrying: 0 });
      // Due as a new delivery is: at its receivedAt.
      expect(await store.claim('w1', 10, LEASE, T0 + 699)).toEqual([]);
      const [revived] = await store.claim('w1', 10, LEASE, T0 + 700);
      expect(revived?.key).toBe('issue:g/p#43');
      expect(revived?.attempts).toBe(0);
      expect(revived?.strikes).toBe(0);
      expect(revived?.deliveries.map((x) => x.deliveryId)).toEqual([first.deliveryId, later.deliveryId]);

      // A copy of a delivery already stored wakes nothing, so it revives nothing either.
      await store.fail(revived as ClaimedJob, 'still denied', null, T0 + 800);
      expect(await store.accept({ ...later })).toBe('duplicate');
      expect(await store.claim('w1', 10, LEASE, T0 + 10_000_000)).toEqual([]);
      expect(told).toHaveLength(1);
    });

    it("revives a dead key on a wake (sweep, timer), due after the wake's delay", async () => {
      const store = await fresh();
      const told: [string, RevivedBy][] = [];
      store.onRevive((key, by) => told.push([key, by]));
      const first = await deadJob(store, 'issue:g/p#44');

      await store.enqueue('issue:g/p#44', T0 + 1000, 500);
      expect(told).toEqual([['issue:g/p#44', 'wake']]);
      expect(await store.claim('w1', 10, LEASE, T0 + 1499)).toEqual([]);
      const [revived] = await store.claim('w1', 10, LEASE, T0 + 1500);
      expect(revived?.attempts).toBe(0);
      expect(revived?.strikes).toBe(0);
      expect(revived?.deliveries.map((x) => x.deliveryId)).toEqual([first.deliveryId]);
      await store.complete(revived as ClaimedJob, T0 + 1600);

      // Wakes of keys that were not dead are not revivals.
      await store.enqueue('issue:g/p#44', T0 + 1700);
      await store.enqueue('issue:g/p#45', T0 + 1700);
      await store.accept(delivery('issue:g/p#46'));
      expect(told).toHaveLength(1);
    });

    it('counts an unavailable failure as an attempt but not as a strike', async () => {
      const store = await fresh();
      await store.enqueue('issue:g/p#47', T0);
      let [job] = await store.claim('w1', 1, LEASE, T0);
      await store.fail(job as ClaimedJob, 'GitLab answered 503', T0 + 10, T0 + 1, 'unavailable');
      [job] = await store.claim('w1', 1, LEASE, T0 + 10);
      expect([job?.attempts, job?.strikes]).toEqual([1, 0]);
      await store.fail(job as ClaimedJob, 'GitLab answered 403', T0 + 20, T0 + 11);
      [job] = await store.claim('w1', 1, LEASE, T0 + 20);
      expect([job?.attempts, job?.strikes]).toEqual([2, 1]);
      await store.fail(job as ClaimedJob, 'GitLab asked to wait', T0 + 30, T0 + 21, 'unavailable');
      [job] = await store.claim('w1', 1, LEASE, T0 + 30);
      expect([job?.attempts, job?.strikes]).toEqual([3, 1]);
      // Success wipes both.
      await store.complete(job as ClaimedJob, T0 + 31);
      await store.enqueue('issue:g/p#47', T0 + 40);
      [job] = await store.claim('w1', 1, LEASE, T0 + 40);
      expect([job?.attempts, job?.strikes]).toEqual([0, 0]);
    });

    it('gives a released job back at once with its attempts unchanged', async () => {
      const store = await fresh();
      const d = delivery('issue:g/p#50');
      await store.accept(d);
      let [job] = await store.claim('w1', 1, LEASE, T0);
      await store.fail(job as ClaimedJob, 'x', T0 + 10, T0 + 1);
      [job] = await store.claim('w1', 1, LEASE, T0 + 10);
      await store.release(job as ClaimedJob, T0 + 20);
      const [back] = await store.claim('w2', 1, LEASE, T0 + 20);
      expect(back?.attempts).toBe(1);
      expect(back?.deliveries.map((x) => x.deliveryId)).toEqual([d.deliveryId]);
      expect(back?.claim).not.toBe(job?.claim);
    });

    // --- enqueue ---------------------------------------------------------------------------------

    it('makes a delayed wake due after the delay unless it is already due sooner', async () => {
      const store = await fresh();
      await store.enqueue('signups:g/p', T0, 1000);
      expect(await store.claim('w1', 1, LEASE, T0 + 999)).toEqual([]);
      await store.enqueue('signups:g/p', T0 + 10, 5000); // later: the earlier due time stands
      const [job] = await store.claim('w1', 1, LEASE, T0 + 1000);
      expect(job?.key).toBe('signups:g/p');
      await store.complete(job as ClaimedJob, T0 + 1001);

      await store.enqueue('signups:g/p', T0 + 2000, 60_000);
      await store.enqueue('signups:g/p', T0 + 2000); // sooner: due now
      const jobs = await store.claim('w1', 10, LEASE, T0 + 2000);
      expect(jobs.map((j) => j.key)).toEqual(['signups:g/p']);
    });

    // --- stats -----------------------------------------------------------------------------------

    it('counts pending, running and dead jobs, unprocessed deliveries, and the oldest wait', async () => {
      const store = await fresh();
      expect(await store.stats(T0)).toEqual({ pending: 0, running: 0, dead: 0, retrying: 0, oldestPendingAgeMs: 0, deliveries: 0 });

      await store.accept(delivery('issue:g/p#60', { receivedAt: T0 }));
      await store.accept(delivery('issue:g/p#60', { receivedAt: T0 + 50 }));
      await store.accept(delivery('issue:g/p#61', { receivedAt: T0 + 100 }));
      await store.enqueue('issue:g/p#62', T0 + 100, 10_000); // not due yet: pending, but not waiting
      expect(await store.stats(T0 + 400)).toEqual({
        pending: 3,
        running: 0,
        dead: 0,
        retrying: 0,
        oldestPendingAgeMs: 400,
        deliveries: 3,
      });

      const [running] = await store.claim('w1', 1, LEASE, T0 + 500);
      expect(running?.key).toBe('issue:g/p#60');
      const [dying] = await store.claim('w1', 1, LEASE, T0 + 500);
      await store.fail(dying as ClaimedJob, 'boom', null, T0 + 600);
      expect(await store.stats(T0 + 700)).toEqual({
        pending: 1,
        running: 1,
        dead: 1,
        retrying: 0,
        oldestPendingAgeMs: 0,
        deliveries: 3,
      });
      await store.complete(running as ClaimedJob, T0 + 800);
      expect(await store.stats(T0 + 10_100)).toMatchObject({ pending: 1, running: 0, dead: 1, deliveries: 1 });
      expect((await store.stats(T0 + 10_100)).oldestPendingAgeMs).toBe(0);
      expect((await store.stats(T0 + 10_350)).oldestPendingAgeMs).toBe(250);

      // A job waiting out a retry is pending and retrying, not waiting yet; due, it is both.
      const [again] = await store.claim('w1', 1, LEASE, T0 + 10_350);
      await store.fail(again as ClaimedJob, 'GitLab answered 503', T0 + 20_000, T0 + 10_400, 'unavailable');
      expect(await store.stats(T0 + 10_500)).toMatchObject({ pending: 1, retrying: 1, oldestPendingAgeMs: 0 });
      expect(await store.stats(T0 + 20_100)).toMatchObject({ pending: 1, retrying: 1, oldestPendingAgeMs: 100 });
    });

    // --- leadership ------------------------------------------------------------------------------

    it('gives leadership to one holder at a time and moves it when the leader stops renewing', async () => {
      const a = await fresh();
      const b = reopen ? await second(a) : a;
      expect(await a.lead('timers', 'replica-a', 10_000, T0)).toBe(true);
      expect(await b.lead('timers', 'replica-b', 10_000, T0 + 1)).toBe(false);
      expect(await a.lead('timers', 'replica-a', 10_000, T0 + 5000)).toBe(true); // renewed to T0+15000
      expect(await b.lead('timers', 'replica-b', 10_000, T0 + 14_999)).toBe(false);
      expect(await b.lead('other', 'replica-b', 10_000, T0 + 14_999)).toBe(true); // names are separate
      // replica-a died: no renewal; its term ends and replica-b takes over.
      expect(await b.lead('timers', 'replica-b', 10_000, T0 + 15_000)).toBe(true);
      expect(await a.lead('timers', 'replica-a', 10_000, T0 + 15_001)).toBe(false);
    });

    it('elects exactly one of many concurrent candidates', async () => {
      const a = await fresh();
      const b = reopen ? await second(a) : a;
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).lead('timers', `replica-${i}`, 10_000, T0)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    // --- schema, probes, upkeep ------------------------------------------------------------------

    it('migrates safely when two instances migrate the same empty storage at once', async () => {
      const a = await open();
      opened.push(a);
      if (!reopen) {
        await Promise.all([a.migrate(), a.migrate()]);
      } else {
        const b = await reopen(a);
        opened.push(b);
        await Promise.all([a.migrate(), b.migrate()]);
        await b.migrate(); // and again: a no-op
        const d = delivery('issue:g/p#70');
        expect(await b.accept(d)).toBe('stored');
        expect(await a.hasDelivery(d.deliveryId)).toBe(true);
      }
      await a.ping();
    });

    it('answers ping with a write and a read', async () => {
      const store = await fresh();
      await expect(store.ping()).resolves.toBeUndefined();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('fails ping once closed', async () => {
      const store = await fresh();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });

    it('prunes processed deliveries older than the cutoff, keeping unprocessed ones for work', async () => {
      const store = await fresh();
      const old = delivery('issue:g/p#80');
      const pending = delivery('issue:g/p#81');
      await store.accept(old);
      const [job] = await store.claim('w1', 1, LEASE, T0 + 100);
      await store.complete(job as ClaimedJob, T0 + 200);
      await store.accept(pending);

      expect(await store.prune(T0 + 200)).toBe(0);
      expect(await store.prune(T0 + 201)).toBe(1);
      expect(await store.hasDelivery(old.deliveryId)).toBe(false);
      expect(await store.hasDelivery(pending.deliveryId)).toBe(true);
      const [next] = await store.claim('w1', 1, LEASE, T0 + 300);
      expect(next?.deliveries.map((d) => d.deliveryId)).toEqual([pending.deliveryId]);
    });

    // --- card memory (a cache beside the queue) ---------------------------------------------------

    const memo = (key: string, over: Partial<CardMemoryRow> = {}): CardMemoryRow => ({
      key,
      project: 'g/p',
      updatedAt: '2026-03-01T10:00:00.000Z',
      fingerprint: 'fp-1',
      selfWritten: false,
      recheckAt: null,
      record: JSON.stringify({ v: 1, key }),
      ...over,
    });

    it('remembers a card, replaces it, and reads several at once', async () => {
      const { memory } = await fresh();
      expect(await memory.get('issue:g/p#1')).toBeNull();
      await memory.put(memo('issue:g/p#1'));
      await memory.put(memo('issue:g/p#2', { selfWritten: true, recheckAt: T0 }));
      expect(await memory.get('issue:g/p#1')).toEqual(memo('issue:g/p#1'));
      await memory.put(memo('issue:g/p#1', { fingerprint: 'fp-2', record: '{"v":1,"n":2}' }));
      expect((await memory.get('issue:g/p#1'))?.fingerprint).toBe('fp-2');
      const many = await memory.getMany(['issue:g/p#1', 'issue:g/p#2', 'issue:g/p#3']);
      expect([...many.keys()].sort()).toEqual(['issue:g/p#1', 'issue:g/p#2']);
      expect(many.get('issue:g/p#2')).toEqual(memo('issue:g/p#2', { selfWritten: true, recheckAt: T0 }));
      expect(await memory.getMany([])).toEqual(new Map());
    });

    it('reads a card marked dirty (the bot is writing to it) as unknown until it is remembered again', async () => {
      const { memory } = await fresh();
      await memory.put(memo('issue:g/p#1', { recheckAt: T0 }));
      await memory.dirty('issue:g/p#1');
      expect(await memory.get('issue:g/p#1')).toBeNull();
      expect(await memory.getMany(['issue:g/p#1'])).toEqual(new Map());
      expect(await memory.due('g/p', T0)).toEqual([]);
      // Still counted: a row being written is not a row lost.
      expect(await memory.count('g/p')).toBe(1);
      await memory.put(memo('issue:g/p#1', { fingerprint: 'fp-3' }));
      expect((await memory.get('issue:g/p#1'))?.fingerprint).toBe('fp-3');
      // Writes that changed nothing remembered: the row holds again as it was.
      await memory.dirty('issue:g/p#1');
      await memory.clean('issue:g/p#1');
      expect((await memory.get('issue:g/p#1'))?.fingerprint).toBe('fp-3');
    });

    it('adopts the card as the bot left it only when the row is still the one it wrote', async () => {
      const { memory } = await fresh();
      await memory.put(memo('issue:g/p#1', { selfWritten: true }));
      expect(await memory.adopt('issue:g/p#1', '2026-03-01T09:00:00.000Z', 'fp-1', '2026-03-01T10:00:01.000Z')).toBe(false);
      expect(await memory.adopt('issue:g/p#1', '2026-03-01T10:00:00.000Z', 'fp-other', '2026-03-01T10:00:01.000Z')).toBe(false);
      expect(await memory.adopt('issue:g/p#1', '2026-03-01T10:00:00.000Z', 'fp-1', '2026-03-01T10:00:01.000Z')).toBe(true);
      expect(await memory.get('issue:g/p#1')).toEqual(memo('issue:g/p#1', { updatedAt: '2026-03-01T10:00:01.000Z' }));
      expect(await memory.adopt('issue:g/p#9', '2026-03-01T10:00:00.000Z', 'fp-1', '2026-03-01T10:00:01.000Z')).toBe(false);
    });

    it('lists the cards whose time has come, per project, and every key it remembers', async () => {
      const { memory } = await fresh();
      await memory.put(memo('issue:g/p#1', { recheckAt: T0 - 1 }));
      await memory.put(memo('issue:g/p#2', { recheckAt: T0 + 1 }));
      await memory.put(memo('issue:g/p#3'));
      await memory.put(memo('issue:g/q#1', { project: 'g/q', recheckAt: T0 - 1 }));
      expect(await memory.due('g/p', T0)).toEqual(['issue:g/p#1']);
      expect(await memory.due('g/p', T0 + 1)).toEqual(['issue:g/p#1', 'issue:g/p#2']);
      expect(await memory.keys('g/p')).toEqual(['issue:g/p#1', 'issue:g/p#2', 'issue:g/p#3']);
      expect(await memory.count('g/q')).toBe(1);
    });

    it('keeps a sweep mark per project with the cards it knew, and counts what was forgotten since', async () => {
      const { memory } = await fresh();
      expect(await memory.mark('g/p')).toBeNull();
      await memory.put(memo('issue:g/p#1'));
      await memory.put(memo('issue:g/p#2'));
      await memory.setMark('g/p', T0, true);
      expect(await memory.mark('g/p')).toEqual({ project: 'g/p', sweptAt: T0, fullAt: T0, cards: 2, forgotten: 0 });
      await memory.forget('issue:g/p#1');
      await memory.forget('issue:g/p#1');
      await memory.forget('issue:g/p#7');
      expect(await memory.get('issue:g/p#1')).toBeNull();
      expect(await memory.mark('g/p')).toMatchObject({ cards: 2, forgotten: 1 });
      await memory.setMark('g/p', T0 + 10, false);
      expect(await memory.mark('g/p')).toEqual({ project: 'g/p', sweptAt: T0 + 10, fullAt: T0, cards: 1, forgotten: 0 });
      expect(await memory.mark('g/q')).toBeNull();
    });

    it('forgets everything when cleared, marks too', async () => {
      const { memory } = await fresh();
      await memory.put(memo('issue:g/p#1'));
      await memory.setMark('g/p', T0, true);
      await memory.clear();
      expect(await memory.get('issue:g/p#1')).toBeNull();
      expect(await memory.mark('g/p')).toBeNull();
      expect(await memory.count('g/p')).toBe(0);
    });

    it('remembers across a second instance on the same storage', async () => {
      const store = await fresh();
      if (!reopen) return;
      await store.memory.put(memo('issue:g/p#5'));
      await store.memory.setMark('g/p', T0, false);
      const other = await second(store);
      expect(await other.memory.get('issue:g/p#5')).toEqual(memo('issue:g/p#5'));
      expect(await other.memory.mark('g/p')).toMatchObject({ sweptAt: T0, fullAt: null, cards: 1 });
    });
  });
}
