// A GitLab outage never silences a card (#12 item 2). GitLab answering one card's reads with 503s
// and dropped connections for far longer than maxAttempts retries: the card is retried at the
// capped backoff and never parked dead, /metrics shows it waiting, and once GitLab is back it
// converges. A card parked dead by a real refusal comes back by itself on its next delivery and on
// the sweep, with no `rhythm queue retry-dead`.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../src/engine/keys.js';
import { startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({
    // Short backoffs (20 ms doubling to a 200 ms cap), two strikes to dead, and no per-call
    // retries inside the transport, so a test sees many job attempts in a second or two.
    service: { maxAttempts: 2, backoffBaseMs: 20, backoffMaxMs: 200, transport: { retries: 0 } },
  });
});
afterEach(() => world?.sandbox.faults.clear());
afterAll(async () => {
  await world?.close();
});

/** The GET calls about one card (the issue and what hangs off it: notes, label events). */
const readsOf = (iid: number) => new RegExp(`/issues/${iid}(/|$)`);

/** alice opens a card whose creation GitLab delivers no webhook for, so no job runs before the test says. */
async function quietCard(title: string): Promise<number> {
  world.sandbox.faults.add({ path: 'POST /projects/:id/issues', kind: 'dropWebhook', times: 1 });
  return (await world.as.alice.createIssue(world.project, { title, description: 'please' })).iid;
}

/** Notes the bot managed to post on a card, as the sandbox saw them (its API may be failing). */
const notesPosted = (iid: number) =>
  world.sandbox.calls().filter((c) => c.user === 'rhythm-bot' && c.method === 'POST' && c.status === 201 && readsOf(iid).test(c.path))
    .length;

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${world.service!.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

async function until(what: string, ok: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a GitLab outage on one card', () => {
  it('keeps retrying the card at a capped backoff, never parks it dead, and converges once GitLab is back', async () => {
    const iid = await quietCard('Outage card');
    // Every read of the card fails, from its first job on.
    world.sandbox.faults.add({ method: 'GET', path: readsOf(iid), kind: 'status', status: 503, probability: 0.5 });
    world.sandbox.faults.add({ method: 'GET', path: readsOf(iid), kind: 'drop' });
    await world.as.alice.editIssue(world.project, iid, { description: 'please, with more words' });

    // Three times as many failed runs as it takes to park a job dead today.
    await until('six failed runs', async () => (await metric('rhythm_jobs_total{outcome="unavailable"}')) >= 6);
    const store = world.service!.store;
    expect(await store.dead()).toEqual([]);
    expect(await metric('rhythm_queue_jobs{state="dead"}')).toBe(0);
    expect(await metric('rhythm_queue_retrying_jobs')).toBe(1);
    expect(await metric('rhythm_jobs_total{outcome="dead"}')).toBe(0);
    expect(notesPosted(iid)).toBe(0);

    world.sandbox.faults.clear();
    await until('the bot note', async () => (await world.botNotes(iid)).length === 1);
    await world.settle();
    expect((await world.botNotes(iid))[0]!.body).toMatch(/Topic/);
    expect(await store.dead()).toEqual([]);
    expect(await metric('rhythm_queue_retrying_jobs')).toBe(0);
    expect((await store.stats(Date.now())).pending).toBe(0);
  }, 60_000);
});

describe('a card parked dead by a refusal', () => {
  it('comes back on its next delivery, and on the sweep, without rhythm queue retry-dead', async () => {
    const store = world.service!.store;
    const iid = await quietCard('Refused card');
    const key = issueKey(world.project, iid);
    const dead = async () => (await store.dead()).some((d) => d.key === key);

    // A 403 is about this card, not GitLab being down: two strikes and it is parked.
    const refusal = world.sandbox.faults.add({ method: 'GET', path: readsOf(iid), kind: 'status', status: 403 });
    await world.as.alice.editIssue(world.project, iid, { description: 'please, again' });
    await until('the card parked dead', dead);
    expect(await metric('rhythm_queue_jobs{state="dead"}')).toBe(1);
    world.sandbox.faults.remove(refusal);
    expect(await world.botNotes(iid)).toHaveLength(0);

    // alice edits the card: that delivery revives it, and the card is judged.
    await world.as.alice.editIssue(world.project, iid, { description: 'please, a third time' });
    await until('the bot note', async () => (await world.botNotes(iid)).length === 1);
    await world.settle();
    expect(await dead()).toBe(false);
    expect(await metric('rhythm_queue_revived_total{by="delivery"}')).toBe(1);

    // Parked again; then the sweep's wake revives it.
    const again = world.sandbox.faults.add({ method: 'GET', path: readsOf(iid), kind: 'status', status: 403 });
    await world.as.alice.editIssue(world.project, iid, { title: 'Refused card, renamed' });
    await until('the card parked dead again', dead);
    world.sandbox.faults.remove(again);
    const doneBefore = await metric('rhythm_jobs_total{outcome="done"}');
    await world.service!.sweep();
    await world.settle();
    expect(await dead()).toBe(false);
    expect(await metric('rhythm_queue_revived_total{by="wake"}')).toBeGreaterThanOrEqual(1);
    expect(await metric('rhythm_jobs_total{outcome="done"}')).toBeGreaterThan(doneBefore);
    expect(await metric('rhythm_queue_jobs{state="dead"}')).toBe(0);
    expect(await world.botNotes(iid)).toHaveLength(1);
  }, 60_000);
});
