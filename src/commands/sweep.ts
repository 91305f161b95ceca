// `rhythm sweep`: reconcile every key of the sweep here and now, one line per key.
import { ColumnCache, runJob } from '../engine/reconcile.js';
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
  const queue = [...keys];
  const columns = new ColumnCache();
  let failed = 0;
  const seen = new Set<string>();
  while (queue.length > 0) {
    const key = queue.shift()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const eventDoor = door.forEvent({ log });
    try {
      const outcome = await runJob(
        {
          key,
          log,
          door: eventDoor,
          config,
          configDir,
          now: new Date(),
          columns,
          // A column touched during the sweep is ordered at the end of it, once.
          enqueue: async (next) => {
            if (!keys.includes(next)) queue.push(next);
          },
        },
        [],
      );
      process.stdout.write(`${key}: ${outcome.kind}${outcome.steps.length ? ` (${outcome.steps.map((s) => s.kind).join(', ')})` : ''}${outcome.note ? ` ${outcome.note}` : ''}\n`);
    } catch (err) {
      failed += 1;
      process.stdout.write(`${key}: FAILED ${(err as Error).message}\n`);
    }
  }
  process.stdout.write(`swept ${seen.size} keys, ${failed} failed; GitLab calls: ${door.reads} reads, ${door.writes} writes${config.dryRun ? ' (dry-run: nothing written)' : ''}\n`);
  if (failed > 0) throw new Failure(`${failed} key(s) failed`);
}
