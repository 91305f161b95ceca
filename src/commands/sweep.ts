// `rhythm sweep`: every key of the sweep through the worker here and now, one line per key. With
// the service's database, the sweep reads the card memory there: it lists only what changed since
// its last complete sweep (engine/sweep.ts); `--full` re-reads every card.
// When the service's database is configured (RHYTHM_DATABASE_URL, or the default SQLite file of
// `rhythm serve` exists here), each key is leased there while it runs, so the sweep and the
// service never work one key at once. A pipeline without a database runs alone on a private
// queue; two racers then still end on one note (the executor's convergence, engine/apply.ts).
import { existsSync } from 'node:fs';
import type { RhythmConfig } from '../config/types.js';
import { ColumnCache } from '../engine/column-cache.js';
import { runOnce } from '../engine/run-once.js';
import { cardKeys, planSweep, seedColumns, SWEEP_PARTS, SWEEP_RUN_COLUMN_KEEPS_MS, type SweepPart } from '../engine/sweep.js';
import type { Store } from '../queue/contract.js';
import type { Step } from '../engine/steps.js';
import { RememberedBaselines } from '../queue/baselines.js';
import { meetBoards } from '../handlers/onboarding/baseline.js';
import { openStore, storeLocation, storeOptions } from '../queue/open.js';
import { load } from './config.js';
import { commandLogger, doorFor } from './door.js';
import { Failure } from './failure.js';
import { ensureBotIdentity, learnAssignees } from '../doctor/start.js';
import { writeText } from './write-text.js';

export interface SweepOptions {
  dryRun?: boolean;
  only?: SweepPart;
  /** Re-read every card in full, whatever the card memory says. */
  full?: boolean;
}

/**
 * The store `rhythm serve` works from, when there is one to share: RHYTHM_DATABASE_URL when set,
 * else serve's default SQLite file when it exists in this directory. None for a dry run, which
 * writes nothing to race over and must leave the service's deliveries to the service.
 */
async function sharedStore(config: RhythmConfig, env: NodeJS.ProcessEnv, cwd: string): Promise<Store | undefined> {
  if (config.dryRun) return undefined;
  const url = env.RHYTHM_DATABASE_URL?.trim();
  if (url) return openStore(url, cwd, storeOptions(process.env));
  const fallback = storeLocation(undefined, cwd);
  return fallback.kind === 'sqlite' && existsSync(fallback.path) ? openStore(undefined, cwd, storeOptions(process.env)) : undefined;
}

/** One unsent write, as a dry run prints it: a heading line and the whole content. */
export const dryRunText = (step: Step): string => {
  const [head, ...body] = writeText(step);
  return [`  dry-run: would ${head}`, ...body.map((l) => `  ${l}`)].join('\n');
};

export async function sweep(configPath: string, o: SweepOptions): Promise<void> {
  const { config, configDir } = load(configPath, o.dryRun);
  const log = commandLogger();
  const door = doorFor(config, log);
  // Nothing is read or written for cards before the token is known to be the bot's.
  await ensureBotIdentity(door, config);
  await learnAssignees(door, config);
  const shared = await sharedStore(config, process.env, process.cwd());
  // The card memory is the service's, in its database: without one, every open card is read.
  const memory = shared?.memory ?? null;
  // The baselines live in the service's database: without one, nothing protects the past.
  const baselines = shared ? new RememberedBaselines(shared.baselines) : null;
  let plan;
  let keys: string[];
  try {
    if (baselines) await meetBoards(config, baselines, memory);
    plan = await planSweep(door, config, { parts: o.only ? [o.only] : SWEEP_PARTS, full: o.full === true, memory });
    // Cards parked dead in the service's store come back with the sweep, changed or not.
    const dead = shared
      ? cardKeys(
          (await shared.dead()).map((d) => d.key),
          config,
        )
      : [];
    keys = [...new Set([...plan.keys, ...dead])];
  } catch (err) {
    await shared?.close();
    throw err;
  }
  for (const board of plan.boards) {
    const how = board.mode === 'full' ? `in full (${board.why ?? 'asked'})` : 'changes only';
    log.info({ ...board }, `sweep: ${board.project} listed ${how}: ${board.listed} listed, ${board.named} to judge`);
  }
  const leaseMs = Number(process.env.RHYTHM_LEASE_MS ?? 60_000);
  // The cache ends with this command: the sweep's column listings serve its jobs for up to 15 min.
  const columns = new ColumnCache();
  seedColumns(plan, columns, new Date(), SWEEP_RUN_COLUMN_KEEPS_MS);
  const report = await runOnce(
    keys,
    {
      config,
      configDir,
      door,
      log,
      columns,
      memory,
      listed: plan.listed,
      baselines,
    },
    {
      fullRead: plan.fullRead,
      ...(shared ? { shared, leaseMs } : {}),
      onLeftToHolder: (key) => process.stdout.write(`${key}: left to the service (it holds the key and runs it again)\n`),
      onOutcome: (outcome) => {
        const steps = outcome.steps.length ? ` (${outcome.steps.map((s) => s.kind).join(', ')})` : '';
        const dry = outcome.dryRunWrites > 0 ? ', dry-run' : '';
        process.stdout.write(`${outcome.key}: ${outcome.kind}${steps}${dry}${outcome.note ? ` ${outcome.note}` : ''}\n`);
        // A dry run shows every write it did not send, in full (write-text.ts).
        for (const a of outcome.applied) if (!a.sent && 'dryRun' in a) process.stdout.write(`${dryRunText(a.step)}\n`);
      },
      onFailure: (key, error) => process.stdout.write(`${key}: FAILED ${error}\n`),
    },
  )
    // Complete only when every key ran: the next sweep then lists what changed after this one.
    .then(async (done) => {
      if (done.failed.length === 0) await plan.complete();
      return done;
    })
    .finally(() => shared?.close());
  // The command's door counts every job's calls, failed attempts included.
  const { reads, writes } = door;
  const dry = report.outcomes.reduce((n, o) => n + o.dryRunWrites, 0);
  const swept = new Set([...report.outcomes.map((o) => o.key), ...report.failed.map((f) => f.key)]).size;
  process.stdout.write(
    `swept ${swept} keys, ${report.failed.length} failed; GitLab calls: ${reads} reads, ${writes} writes${dry ? ` (dry-run: ${dry} writes logged, none sent)` : ''}\n`,
  );
  if (report.failed.length > 0) throw new Failure(`${report.failed.length} key(s) failed`);
}
