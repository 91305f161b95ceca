// `rhythm hooks uninstall`: removes Rhythm's hooks, and only those (matched by URL: the one given,
// or any pointing at a Rhythm receiver path), from every configured project. Through the executor,
// which owns dry-run.
import type { RhythmConfig } from '../config/types.js';
import type { Door } from '../gitlab/types.js';
import { apply } from '../engine/apply.js';
import type { Step } from '../engine/steps.js';
import type { Logger } from '../observability/log.js';
import { rhythmHooks } from './health.js';
import { configuredProjects } from './install.js';

export interface Removal {
  project: string;
  hooks: { id: number; url: string }[];
}

export async function uninstallHooks(door: Door, config: RhythmConfig, opts: { url?: string; log: Logger }): Promise<Removal[]> {
  const removals: Removal[] = [];
  for (const project of configuredProjects(config)) {
    const hooks = rhythmHooks(await door.listHooks(project), opts.url).map((h) => ({ id: h.id, url: h.url }));
    removals.push({ project, hooks });
  }
  const steps = removals.flatMap((r) => r.hooks.map((h): Step => ({ kind: 'deleteHook', project: r.project, hookId: h.id, url: h.url })));
  await apply(steps, { door, config, log: opts.log, enqueue: async () => undefined });
  return removals;
}

export function uninstallLines(removal: Removal, dryRun: boolean): string[] {
  if (removal.hooks.length === 0) return [`${removal.project}: no Rhythm hook`];
  return removal.hooks.map((h) => `${removal.project}: ${dryRun ? 'would remove' : 'removed'} hook ${h.id} -> ${h.url}`);
}
