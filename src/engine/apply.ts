// The one executor: it alone carries out steps. It owns dry-run (decided here, per project, from
// the configuration), logs every write with its full content, counts writes, sends the event's
// X-Gitlab-Event-UUID (through the door it is given) and hands follow-up work to the queue.
import type { RhythmConfig } from '../config/types.js';
import type { Door, GHook, GIssue, GNote } from '../gitlab/types.js';
import type { Logger } from '../observability/log.js';
import { isWrite, type Step } from './steps.js';

export interface ApplyContext {
  /** The door for this event (its UUID is already bound); only writes are sent through it. */
  door: Door;
  config: RhythmConfig;
  log: Logger;
  enqueue(key: string, delayMs: number): Promise<void>;
}

export type Applied = { step: Step; sent: true; issue?: GIssue; note?: GNote; hook?: GHook } | { step: Step; sent: false; dryRun: true };

export interface ApplyReport {
  applied: Applied[];
  /** Writes sent to GitLab. */
  writes: number;
  /** Writes a dry-run logged instead of sending. */
  dryRunWrites: number;
}

/**
 * Dry-run for everything (global), or for one board's project. The only place that decides it.
 * A board tried in dry-run still needs its webhook, so hooks follow the global switch alone.
 */
export function isDryRun(config: RhythmConfig, step: Step): boolean {
  if (config.dryRun) return true;
  if (step.kind === 'enqueue' || step.kind === 'addHook' || step.kind === 'editHook') return false;
  return sameProjectBoard(config, step.project)?.dryRun ?? false;
}

/** The board configured for a project (GitLab paths are case-insensitive). */
export function sameProjectBoard(config: RhythmConfig, project: string): RhythmConfig['boards'][number] | undefined {
  const lower = project.toLowerCase();
  return config.boards.find((b) => b.project.toLowerCase() === lower);
}

/** What a step does, for people reading the log. */
function describe(step: Step): string {
  switch (step.kind) {
    case 'editIssue':
      return `edit ${step.project}#${step.iid}`;
    case 'createNote':
      return `post a note on ${step.project}#${step.iid}`;
    case 'editNote':
      return `edit note ${step.noteId} on ${step.project}#${step.iid}`;
    case 'createIssue':
      return `create ${step.what} in ${step.project}`;
    case 'reorderIssue':
      return `move ${step.project}#${step.iid} ${step.what}`;
    case 'addHook':
      return `add the webhook on ${step.project}`;
    case 'editHook':
      return `update webhook ${step.hookId} on ${step.project}`;
    case 'enqueue':
      return `wake ${step.key}`;
  }
}

/** The content of a write as it is logged: everything but secrets (a hook's token). */
function content(step: Step): object {
  if (step.kind === 'addHook' || step.kind === 'editHook') {
    return { ...step, spec: { ...step.spec, token: step.spec.token ? '[secret]' : '' } };
  }
  return step;
}

/** A write in one line: where it went and what kind it was, without its body. */
function summary(step: Exclude<Step, { kind: 'enqueue' }>): object {
  switch (step.kind) {
    case 'editIssue':
      return { project: step.project, iid: step.iid, because: step.because, fields: Object.keys(step.edit) };
    case 'createNote':
    case 'editNote':
      return { project: step.project, iid: step.iid, marker: step.marker, chars: step.body.length };
    case 'createIssue':
      return { project: step.project, what: step.what };
    case 'reorderIssue':
      return { project: step.project, iid: step.iid, to: step.to };
    case 'addHook':
    case 'editHook':
      return { project: step.project, url: step.spec.url };
  }
}

async function send(step: Exclude<Step, { kind: 'enqueue' }>, door: Door): Promise<Applied> {
  switch (step.kind) {
    case 'editIssue':
      return { step, sent: true, issue: await door.editIssue(step.project, step.iid, step.edit) };
    case 'createNote':
      return { step, sent: true, note: await door.createNote(step.project, step.iid, step.body) };
    case 'editNote':
      return { step, sent: true, note: await door.editNote(step.project, step.iid, step.noteId, step.body) };
    case 'createIssue':
      return { step, sent: true, issue: await door.createIssue(step.project, step.issue) };
    case 'reorderIssue':
      await door.reorderIssue(step.project, step.iid, step.to);
      return { step, sent: true };
    case 'addHook':
      return { step, sent: true, hook: await door.addHook(step.project, step.spec) };
    case 'editHook':
      return { step, sent: true, hook: await door.editHook(step.project, step.hookId, step.spec) };
  }
}

/** A write GitLab refused, with what Rhythm was doing: people read this in the job's error. */
export class WriteError extends Error {
  override name = 'WriteError';
}

/** Carries out steps in order; stops at the first write GitLab refuses (the job is retried whole). */
export async function apply(steps: readonly Step[], ctx: ApplyContext): Promise<ApplyReport> {
  const report: ApplyReport = { applied: [], writes: 0, dryRunWrites: 0 };
  for (const step of steps) {
    if (step.kind === 'enqueue') {
      await ctx.enqueue(step.key, step.delayMs);
      continue;
    }
    const what = describe(step);
    if (isDryRun(ctx.config, step)) {
      ctx.log.info({ dryRun: true, write: step.kind, ...content(step) }, `dry-run: would ${what}`);
      report.applied.push({ step, sent: false, dryRun: true });
      report.dryRunWrites += 1;
      continue;
    }
    let done: Applied;
    try {
      done = await send(step, ctx.door);
    } catch (err) {
      throw new WriteError(`could not ${what}: ${(err as Error).message}`, { cause: err });
    }
    // What was sent, in full at debug (a note body is kilobytes); what was done, at info.
    ctx.log.debug({ write: step.kind, ...content(step) }, what);
    ctx.log.info({ write: step.kind, ...summary(step) }, what);
    report.applied.push(done);
    if (isWrite(step)) report.writes += 1;
  }
  return report;
}
