// Runs one work key the way every entry point does (engine/run-job.ts), for tests that drive a
// handler against the sandbox or a fake door: the shipped configuration, adjustable per test.
import { loadConfig } from '../../src/config/load.js';
import type { RhythmConfig, SkillsExchangeBoard } from '../../src/config/types.js';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { runJob, type JobOutcome } from '../../src/engine/run-job.js';
import type { CountingDoor } from '../../src/gitlab/door.js';
import type { Door } from '../../src/gitlab/types.js';
import type { Logger } from '../../src/observability/log.js';
import type { StoredDelivery } from '../../src/queue/contract.js';

const REPO = new URL('../../', import.meta.url).pathname;

export function shippedConfig(env: Record<string, string> = {}): RhythmConfig {
  const loaded = loadConfig(`${REPO}rhythm.yml`, { GITLAB_URL: 'http://127.0.0.1:1', GITLAB_TOKEN: 'x', ...env });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.config;
}

/** The shipped configuration with its Skills Exchange board moved to `project` and changed by `over`. */
export function configWithBoard(project: string, over: Partial<SkillsExchangeBoard> = {}, config = shippedConfig()): RhythmConfig {
  return {
    ...config,
    boards: config.boards.map((b) => (b.kind === 'skills-exchange' ? { ...b, project, ...over } : b)),
  };
}

/** A fake Door (tests' own) made countable the way the runner needs it. */
export function counting(door: Door): CountingDoor {
  const wrapped: CountingDoor = { ...door, reads: 0, writes: 0, forEvent: () => wrapped };
  return wrapped;
}

/** Logs nothing, or collects lines for a test to read. */
export function recordingLog(): Logger & { lines: Array<{ level: string; obj: object; msg?: string }> } {
  const lines: Array<{ level: string; obj: object; msg?: string }> = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void =>
      void lines.push(msg === undefined ? { level, obj } : { level, obj, msg });
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

export interface RunKeyOptions {
  config: RhythmConfig;
  door: CountingDoor;
  log?: Logger;
  now?: Date;
  deliveries?: StoredDelivery[];
  configDir?: string;
}

/** One job of `key`; follow-up keys it wakes are returned in `woken`, not run. */
export async function runKey(key: string, o: RunKeyOptions): Promise<JobOutcome & { woken: string[] }> {
  const woken: string[] = [];
  const outcome = await runJob(key, o.deliveries ?? [], {
    config: o.config,
    configDir: o.configDir ?? REPO,
    door: o.door,
    log: o.log ?? recordingLog(),
    now: o.now ?? new Date(),
    columns: new ColumnCache(),
    enqueue: async (next) => void woken.push(next),
  });
  return { ...outcome, woken };
}
