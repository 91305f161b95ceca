// `rhythm program open <name>`: one plan issue from the program's template, opened once. The
// plan's marker names the program, its people and its start, so a second run for the same people
// finds the bot's issue (whatever its labels now) instead of opening another. The create is a
// step through the one executor: dry-run, logging and pacing are its.
import type { RhythmConfig } from '../../config/types.js';
import { apply, type ApplyReport } from '../../engine/apply.js';
import type { CountingDoor } from '../../gitlab/door.js';
import type { GIssue } from '../../gitlab/types.js';
import type { Logger } from '../../observability/log.js';
import { readTemplate } from './index.js';
import { DONE_LABEL, planMarker, planNamed, ProgramError, programLabel, renderPlan, type PlanFor } from './plan.js';

export interface OpenResult {
  action: 'opened' | 'exists' | 'dry-run';
  iid?: number;
  url?: string;
  title: string;
  body: string;
  report?: ApplyReport;
}

interface Deps {
  config: RhythmConfig;
  configDir: string;
  door: CountingDoor;
  log: Logger;
}

export async function openProgram(deps: Deps, plan: PlanFor, project?: string): Promise<OpenResult> {
  const programs = deps.config.programs;
  if (!programs) throw new ProgramError(`${deps.config.source}: no "programs" section, so there is no program to open`);
  const def = planNamed(programs, plan.program);
  if (!def)
    throw new ProgramError(`no program "${plan.program}" (the programs are: ${programs.plans.map((p) => p.name).join(', ') || 'none'})`);
  const where = project ?? programs.project;
  // Rendered before anything is read or sent: a broken template stops the run here.
  const { title, body } = renderPlan(def, plan, readTemplate(deps.configDir, def), deps.config.timezone);
  const marker = planMarker(plan);
  const bot = deps.config.gitlab.botUsername.toLowerCase();
  const mine = (issue: GIssue) => issue.author?.username.toLowerCase() === bot && (issue.description ?? '').includes(marker);
  // The plan keeps its program label until it is done; then it may carry program::done instead.
  for (const label of [programLabel(plan.program), DONE_LABEL]) {
    const found = (await deps.door.listIssues(where, { labels: [label], state: 'all' })).filter(mine).sort((a, b) => a.iid - b.iid)[0];
    if (found) return { action: 'exists', iid: found.iid, url: found.web_url, title, body };
  }
  const report = await apply(
    [
      {
        kind: 'createIssue',
        project: where,
        issue: { title, description: body, labels: [programLabel(plan.program)] },
        what: `the ${plan.program} plan`,
      },
    ],
    { door: deps.door, config: deps.config, log: deps.log, enqueue: async () => undefined },
  );
  const applied = report.applied[0];
  if (!applied?.sent) return { action: 'dry-run', title, body, report };
  return { action: 'opened', iid: applied.issue?.iid, url: applied.issue?.web_url, title, body, report };
}
