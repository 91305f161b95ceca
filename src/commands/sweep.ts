// `rhythm sweep`: every key of the sweep through the worker here and now, one line per key.
import { ColumnCache } from '../engine/column-cache.js';
import { runOnce } from '../engine/run-once.js';
import { sweepKeys, SWEEP_PARTS, type SweepPart } from '../engine/sweep.js';
import { load } from './config.js';
import { commandLogger, doorFor } from './door.js';
import { Failure } from './failure.js';

export interface SweepOptions {
  dryRun?: boolean;
  only?: SweepPart;
}

export async function sweep(configPath: string, o: SweepOptions): Promise<void> {
  const { config, configDir } = load(configPath, o.dryRun);
  const log = commandLogger();
  const door = doorFor(config, log);
  const keys = await sweepKeys(door, config, o.only ? [o.only] : SWEEP_PARTS);
  const report = await runOnce(
    keys,
    { config, configDir, door, log, columns: new ColumnCache() },
    {
      onOutcome: (outcome) => {
        const steps = outcome.steps.length ? ` (${outcome.steps.map((s) => s.kind).join(', ')})` : '';
        const dry = outcome.dryRunWrites > 0 ? ', dry-run' : '';
        process.stdout.write(`${outcome.key}: ${outcome.kind}${steps}${dry}${outcome.note ? ` ${outcome.note}` : ''}\n`);
      },
      onFailure: (key, error) => process.stdout.write(`${key}: FAILED ${error}\n`),
    },
  );
  // The command's door counts every job's calls, failed attempts included.
  const { reads, writes } = door;
  const dry = report.outcomes.reduce((n, o) => n + o.dryRunWrites, 0);
  const swept = new Set([...report.outcomes.map((o) => o.key), ...report.failed.map((f) => f.key)]).size;
  process.stdout.write(
    `swept ${swept} keys, ${report.failed.length} failed; GitLab calls: ${reads} reads, ${writes} writes${dry ? ` (dry-run: ${dry} writes logged, none sent)` : ''}\n`,
  );
  if (report.failed.length > 0) throw new Failure(`${report.failed.length} key(s) failed`);
}
