// `rhythm generate` and the demo: the month's sign-up keys through the one-shot worker, and what
// became of each (created, updated, unchanged, dry-run), with the issue GitLab answered.
import type { RhythmConfig } from '../../config/types.js';
import { ColumnCache } from '../../engine/column-cache.js';
import { signupMonthKey, type SignupKind } from '../../engine/keys.js';
import type { JobOutcome } from '../../engine/run-job.js';
import { runOnce } from '../../engine/run-once.js';
import type { CountingDoor } from '../../gitlab/door.js';
import type { Logger } from '../../observability/log.js';
import { renderMonth } from './index.js';

export interface GenerateResult {
  kind: SignupKind;
  action: 'created' | 'updated' | 'unchanged' | 'dry-run' | 'skipped';
  iid?: number;
  url?: string;
  outcome: JobOutcome;
}

export interface GenerateReport {
  results: GenerateResult[];
  failed: { key: string; error: string }[];
  reads: number;
  writes: number;
}

export async function generateSignups(
  deps: { config: RhythmConfig; configDir: string; door: CountingDoor; log: Logger },
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
  const report = await runOnce(
    kinds.map((kind) => signupMonthKey(kind, opts.month)),
    { ...deps, columns: new ColumnCache() },
    // A refusal (spam check, permissions) is GitLab's answer, not a hiccup: say it at once.
    { maxAttempts: 1 },
  );
  const results: GenerateResult[] = [];
  for (const kind of kinds) {
    const outcome = report.outcomes.find((o) => o.key === signupMonthKey(kind, opts.month));
    if (!outcome) continue;
    const issue = outcome.applied.flatMap((a) => (a.sent && a.issue ? [a.issue] : []))[0];
    const iid = issue?.iid ?? (typeof outcome.facts?.iid === 'number' ? outcome.facts.iid : undefined);
    const url = issue?.web_url ?? (typeof outcome.facts?.url === 'string' ? outcome.facts.url : undefined);
    const note = outcome.note;
    const action: GenerateResult['action'] = outcome.applied.some((a) => !a.sent)
      ? 'dry-run'
      : note === 'created' || note === 'updated' || note === 'unchanged'
        ? note
        : 'skipped';
    results.push({ kind, action, ...(iid !== undefined ? { iid } : {}), ...(url !== undefined ? { url } : {}), outcome });
  }
  return {
    results,
    failed: report.failed,
    // The door counts every job's calls (failed attempts too); this run's share is the difference.
    reads: deps.door.reads - before.reads,
    writes: deps.door.writes - before.writes,
  };
}
