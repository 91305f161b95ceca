// `rhythm generate` and the demo: the month's sign-up keys through the one-shot worker, and what
// became of each (created, updated, unchanged, dry-run), with the issue GitLab answered.
//
// Two runs at once (a schedule and a person, two pipelines) must not leave two issues for a month.
// GitLab is the guarantee: after creating an issue, the run lists the month's issues again, and
// when an older one of the bot's carries the same marker, it closes its own with a note pointing
// there (a later run closes any duplicate it finds, too). With a database, a lease per month and
// kind keeps a second run from creating at all: it waits for the first, then finds its issue.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { RhythmConfig } from '../../config/types.js';
import { apply } from '../../engine/apply.js';
import { ColumnCache } from '../../engine/column-cache.js';
import { signupMonthKey, type SignupKind } from '../../engine/keys.js';
import type { JobOutcome } from '../../engine/run-job.js';
import { runOnce } from '../../engine/run-once.js';
import type { CountingDoor } from '../../gitlab/door.js';
import type { Logger } from '../../observability/log.js';
import type { Store } from '../../queue/contract.js';
import { allByMarker, SignupLists } from '../../signups/find.js';
import { issueMarker } from '../../signups/markers.js';
import { closeDuplicate, renderMonth, type SignupChanges } from './index.js';

const isChanges = (value: unknown): value is SignupChanges =>
  typeof value === 'object' && value !== null && Array.isArray((value as SignupChanges).summary);

export interface GenerateResult {
  kind: SignupKind;
  action: 'created' | 'updated' | 'unchanged' | 'dry-run' | 'skipped';
  iid?: number;
  url?: string;
  /** This run's new issue was closed: another run had opened this older one at the same time. */
  duplicateOf?: number;
  /** Newer issues for the month (a second run's) this run closed. */
  closed?: number[];
  /** Why it was skipped. */
  reason?: string;
  /** On a dry run: what the run would have done (nothing is sent). */
  planned?: 'create' | 'update';
  /** What an update changes (the title, labels, the description's lines). */
  changes?: SignupChanges;
  outcome: JobOutcome;
}

export interface GenerateReport {
  results: GenerateResult[];
  failed: { key: string; error: string }[];
  reads: number;
  writes: number;
}

/** A lease per month and kind in the shared database, so that only one run creates at a time. */
export interface GenerateLease {
  store: Pick<Store, 'lead'>;
  /** This run's name in the lease (default: host, process and a random part). */
  holder?: string;
  /** How long a lease lasts without renewal (a crashed run's lease ends then). */
  ttlMs?: number;
  /** How long to wait for another run's lease before skipping the kind. */
  waitMs?: number;
  pollMs?: number;
}

export const LEASE_TTL_MS = 2 * 60_000;
export const LEASE_WAIT_MS = 3 * 60_000;

/** The lease's name: one month, one kind. */
export const leaseName = (month: string, kind: SignupKind) => `generate:${month}:${kind}`;

interface Deps {
  config: RhythmConfig;
  configDir: string;
  door: CountingDoor;
  log: Logger;
}

export async function generateSignups(
  deps: Deps & { lease?: GenerateLease },
  opts: { month: string; only?: SignupKind },
): Promise<GenerateReport> {
  const signups = deps.config.signups;
  if (!signups) throw new Error(`${deps.config.source}: no "signups" section, so there is nothing to generate`);
  const kinds = (opts.only ? [opts.only] : (['webinars', 'labs'] as const)).filter((kind) => {
    if (!signups[kind].enabled) deps.log.info({ kind }, `signups.${kind} is disabled; not generating it`);
    return signups[kind].enabled;
  });
  // Every issue of the run renders before the first is sent: a broken template stops all of them.
  for (const kind of kinds) renderMonth(signups, kind, opts.month, deps.configDir);
  const before = { reads: deps.door.reads, writes: deps.door.writes };
  const results: GenerateResult[] = [];
  const failed: GenerateReport['failed'] = [];
  const run = async (some: SignupKind[]) => {
    const done = await runKinds(deps, some, opts.month);
    results.push(...done.results);
    failed.push(...done.failed);
  };
  // A dry run writes nothing, so it needs no lease.
  if (deps.lease && !deps.config.dryRun) await underLease(deps.lease, kinds, opts.month, deps.log, run, results);
  else await run(kinds);
  const order = (r: GenerateResult) => kinds.indexOf(r.kind);
  return {
    results: results.sort((a, b) => order(a) - order(b)),
    failed,
    // The door counts every job's calls (failed attempts too); this run's share is the difference.
    reads: deps.door.reads - before.reads,
    writes: deps.door.writes - before.writes,
  };
}

/** The kinds' keys through the one-shot worker, then the second look at what this run created. */
async function runKinds(deps: Deps, kinds: SignupKind[], month: string): Promise<Pick<GenerateReport, 'results' | 'failed'>> {
  const report = await runOnce(
    kinds.map((kind) => signupMonthKey(kind, month)),
    { ...deps, columns: new ColumnCache() },
    // A refusal (spam check, permissions) is GitLab's answer, not a hiccup: say it at once.
    { maxAttempts: 1 },
  );
  const results: GenerateResult[] = [];
  // A fresh listing: the one the jobs shared was taken before they created anything.
  const lists = new SignupLists(deps.door, deps.config.signups!.project, 'all');
  for (const kind of kinds) {
    const outcome = report.outcomes.find((o) => o.key === signupMonthKey(kind, month));
    if (!outcome) continue;
    const created = outcome.applied.find((a) => a.sent && a.step.kind === 'createIssue');
    const issue = created?.sent ? created.issue : undefined;
    const facts = outcome.facts ?? {};
    const iid = issue?.iid ?? (typeof facts.iid === 'number' ? facts.iid : undefined);
    const url = issue?.web_url ?? (typeof facts.url === 'string' ? facts.url : undefined);
    const note = outcome.note;
    const action: GenerateResult['action'] = outcome.applied.some((a) => !a.sent)
      ? 'dry-run'
      : note === 'created' || note === 'updated' || note === 'unchanged'
        ? note
        : 'skipped';
    const result: GenerateResult = { kind, action, ...(iid !== undefined ? { iid } : {}), ...(url !== undefined ? { url } : {}), outcome };
    const closed = Array.isArray(facts.closedDuplicates) ? facts.closedDuplicates.filter((n): n is number => typeof n === 'number') : [];
    if (closed.length > 0) result.closed = closed;
    if (typeof facts.reason === 'string') result.reason = facts.reason;
    if (action === 'dry-run' && (note === 'created' || note === 'updated')) result.planned = note === 'created' ? 'create' : 'update';
    if (isChanges(facts.changes)) result.changes = facts.changes;
    if (issue) {
      try {
        const kept = await closeIfSecond(deps, lists, kind, month, issue.iid);
        if (kept !== null) result.duplicateOf = kept;
      } catch (err) {
        // The issue exists; a later run closes it if it is a second one.
        deps.log.warn({ kind, month, iid: issue.iid, err: (err as Error).message }, 'could not check for a second sign-up issue');
      }
    }
    results.push(result);
  }
  return { results, failed: report.failed };
}

/**
 * After creating `iid`: when an older issue of the bot's carries the month's marker, another run
 * created that one at the same time, so this run closes its own, with a note pointing there.
 * Only the later issue's creator closes it (the creator of the older one leaves it alone), so the
 * two runs never both post the note; whoever committed later sees both. Returns the kept iid.
 */
async function closeIfSecond(deps: Deps, lists: SignupLists, kind: SignupKind, month: string, iid: number): Promise<number | null> {
  const signups = deps.config.signups!;
  const matches = allByMarker(await lists.withLabel(signups[kind].labels[0]), issueMarker(kind, month), deps.config.gitlab.botUsername);
  const kept = matches[0];
  if (!kept || kept.iid >= iid) return null;
  deps.log.warn({ kind, month, kept: kept.iid, closing: iid }, 'another run opened the same sign-up issue at the same time; closing ours');
  await apply(closeDuplicate(signups.project, kind, month, kept.iid, { iid, noted: false, dris: [] }), {
    door: deps.door,
    config: deps.config,
    log: deps.log,
    enqueue: async () => undefined,
  });
  return kept.iid;
}

/**
 * Runs each kind while holding its lease. Kinds whose lease another run holds wait (polling) until
 * it ends; a lease is never held while waiting for another, so two runs cannot block each other.
 */
async function underLease(
  lease: GenerateLease,
  kinds: SignupKind[],
  month: string,
  log: Logger,
  run: (kinds: SignupKind[]) => Promise<void>,
  results: GenerateResult[],
): Promise<void> {
  const holder = lease.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const ttl = lease.ttlMs ?? LEASE_TTL_MS;
  const deadline = Date.now() + (lease.waitMs ?? LEASE_WAIT_MS);
  const said = new Set<SignupKind>();
  let pending = [...kinds];
  while (pending.length > 0) {
    const held: SignupKind[] = [];
    for (const kind of pending) if (await lease.store.lead(leaseName(month, kind), holder, ttl, Date.now())) held.push(kind);
    for (const kind of pending.filter((k) => !held.includes(k) && !said.has(k))) {
      said.add(kind);
      log.warn(
        { kind, month, lease: leaseName(month, kind) },
        `another rhythm generate is working on the ${kind} sign-up issue for ${month}; waiting for it to finish`,
      );
    }
    if (held.length === 0) {
      if (Date.now() >= deadline) {
        for (const kind of pending) {
          const reason = `another rhythm generate held the lease ${leaseName(month, kind)} for longer than this run waits; it opens or updates the issue`;
          log.warn({ kind, month, lease: leaseName(month, kind) }, reason);
          const outcome: JobOutcome = {
            key: signupMonthKey(kind, month),
            kind: 'skipped',
            steps: [],
            applied: [],
            reads: 0,
            writes: 0,
            dryRunWrites: 0,
            note: reason,
          };
          results.push({ kind, action: 'skipped', reason, outcome });
        }
        return;
      }
      await new Promise((r) => setTimeout(r, lease.pollMs ?? 250));
      continue;
    }
    // Renewed while the kinds run, so a slow GitLab does not hand the lease to a second run.
    let renewing: Promise<unknown> = Promise.resolve();
    const renew = setInterval(
      () => {
        renewing = Promise.all(held.map((kind) => lease.store.lead(leaseName(month, kind), holder, ttl, Date.now()).catch(() => false)));
      },
      Math.max(1000, Math.floor(ttl / 3)),
    );
    try {
      await run(held);
    } finally {
      clearInterval(renew);
      await renewing;
      // Given back at once: a waiting run need not sit out the term.
      for (const kind of held) await lease.store.lead(leaseName(month, kind), holder, 0, Date.now()).catch(() => undefined);
    }
    pending = pending.filter((k) => !held.includes(k));
  }
}
