// A program plan's issue, as a kind of work. `load` reads the issue and its notes (two reads);
// `decide` writes the plan into a labelled issue that has none yet, nudges intern and mentor
// once per week that ended with boxes unticked, keeps one progress note (a badge per course whose
// boxes are ticked) and labels the plan program::done when every box is. Every write is a step;
// every note carries a hidden marker, so a rerun or a reopened issue never repeats one.
import { templateFile } from '../../config/template-path.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findBotNote } from '../../comments/marker.js';
import type { HandlerFor } from '../../engine/handler.js';
import type { Step } from '../../engine/steps.js';
import type { GIssue, GNote } from '../../gitlab/types.js';
import { inlineUserText } from '../../markdown/index.js';
import { localToday } from '../../signups/calendar.js';
import {
  DONE_LABEL,
  planNamed,
  ProgramError,
  programLabel,
  readPeople,
  readPlanMarker,
  readProgress,
  renderPlan,
  weekDates,
  type Program,
  type ProgramsConfig,
} from './plan.js';

export const STATUS_MARKER = '<!-- rhythm:program-status -->';
export const NEEDS_MARKER = '<!-- rhythm:program-needs -->';
const nudgeMarker = (week: number) => `<!-- rhythm:program-nudge:week-${week} -->`;
const NUDGE_MARKERS = /<!-- rhythm:program-nudge:(week-\d+) -->/g;

export interface ProgramState {
  project: string;
  issue: GIssue;
  notes: GNote[];
  programs: ProgramsConfig;
  /** Template text by program name (read in load: decide touches no file). */
  templates: Record<string, string>;
  timezone: string;
  botUsername: string;
  now: Date;
}

/** Which program an issue is: its plan's marker, else its program::<name> label. */
export function programOf(issue: GIssue, programs: ProgramsConfig): string | null {
  const marked = readPlanMarker(issue.description ?? '');
  if (marked && planNamed(programs, marked.program)) return marked.program;
  for (const label of issue.labels) {
    const name = label.startsWith('program::') ? label.slice('program::'.length) : '';
    if (name && planNamed(programs, name)) return name;
  }
  return null;
}

export function readTemplate(configDir: string, program: Program): string {
  // check-config refuses a template neither place has; a file removed since reads as missing here.
  return readFileSync(templateFile(configDir, program.template) ?? resolve(configDir, program.template), 'utf8');
}

const mention = (people: Record<string, string>) =>
  Object.values(people)
    .map((u) => `@${u}`)
    .join(' ');

export const program: HandlerFor<'program', ProgramState> = {
  kind: 'program',

  async load(key, _events, ctx) {
    const programs = ctx.config.programs;
    if (!programs) return { skip: 'no programs configured' };
    const issue = await ctx.gitlab.getIssue(key.project, key.iid);
    if (issue.state !== 'opened') return { skip: 'the plan is closed' };
    const name = programOf(issue, programs);
    if (!name) return { skip: 'not a program plan' };
    const notes = await ctx.gitlab.listNotes(key.project, key.iid);
    const templates = { [name]: readTemplate(ctx.configDir, planNamed(programs, name)!) };
    return {
      state: {
        project: key.project,
        issue,
        notes,
        programs,
        templates,
        timezone: ctx.config.timezone,
        botUsername: ctx.config.gitlab.botUsername,
        now: ctx.now,
      },
    };
  },

  decide(state) {
    const { issue, programs, project } = state;
    const name = programOf(issue, programs)!;
    const def = planNamed(programs, name)!;
    const description = issue.description ?? '';
    const plan = readPlanMarker(description);
    const steps: Step[] = [];
    const note = (marker: string, body: string) => {
      const existing = findBotNote(state.notes, state.botUsername, marker);
      const full = `${marker}\n${body.trim()}\n`;
      if (!existing) steps.push({ kind: 'createNote', project, iid: issue.iid, marker, body: full });
      else if (existing.body.trim() !== full.trim())
        steps.push({ kind: 'editNote', project, iid: issue.iid, noteId: existing.id, marker, body: full });
    };

    // A labelled issue without its plan: write it in, once the description names the people.
    if (!plan) {
      const read = readPeople(description, def.people);
      const missing = [...read.missing, ...(def.weeks.length > 0 && !read.start ? ['start'] : [])];
      if (missing.length > 0) {
        const lines = missing.map((role) =>
          role === 'start' ? '`Start: YYYY-MM-DD`' : `\`${role[0]!.toUpperCase()}${role.slice(1)}: @username\``,
        );
        note(
          NEEDS_MARKER,
          `To open the ${name} plan here, the description needs ${missing.length === 1 ? 'this line' : 'these lines'}: ${lines.join(', ')}. Add ${missing.length === 1 ? 'it' : 'them'} and Rhythm writes the plan in.`,
        );
        return { steps, summary: `plan waits for ${missing.join(', ')}` };
      }
      let rendered;
      try {
        rendered = renderPlan(
          def,
          { program: name, people: read.people, ...(read.start ? { start: read.start } : {}) },
          state.templates[name]!,
          state.timezone,
        );
      } catch (err) {
        if (err instanceof ProgramError) return { steps, summary: err.message };
        throw err;
      }
      steps.push({
        kind: 'editIssue',
        project,
        iid: issue.iid,
        edit: { description: `${description.trimEnd()}\n\n${rendered.body}` },
        because: [`the ${name} plan, written into the issue`],
        // The executor re-reads the issue before the PUT: an edit made meanwhile is kept, not overwritten.
        judgedDescription: issue.description ?? '',
      });
      return { steps, summary: 'plan written in' };
    }

    const progress = readProgress(description);
    const total = progress.reduce((n, s) => n + s.ticked + s.open.length, 0);
    const done = total > 0 && progress.every((s) => s.open.length === 0);

    // Nudges: each week that ended with boxes open, once (the bot's notes carry the markers sent).
    if (!done && plan.start) {
      const sent = new Set(
        state.notes
          .filter((n) => n.author.username.toLowerCase() === state.botUsername.toLowerCase())
          .flatMap((n) => [...n.body.matchAll(NUDGE_MARKERS)].map((m) => m[1])),
      );
      const today = localToday(state.now, state.timezone);
      const due: string[] = [];
      const markers: string[] = [];
      def.weeks.forEach((week, i) => {
        const n = i + 1;
        const section = progress.find((s) => s.section === `week-${n}`);
        const { from, to } = weekDates(plan.start!, n, state.timezone);
        if (!section || section.open.length === 0 || today <= to || sent.has(`week-${n}`)) return;
        markers.push(nudgeMarker(n));
        due.push(
          [
            `**Week ${n}** (${from} to ${to}, ${inlineUserText(week.title)}) ended with ${section.open.length} of ${section.open.length + section.ticked} boxes open:`,
            ...section.open.map((text) => `- ${inlineUserText(text)}`),
          ].join('\n'),
        );
      });
      if (due.length > 0) {
        steps.push({
          kind: 'createNote',
          project,
          iid: issue.iid,
          marker: markers.join(' '),
          body: `${markers.join('\n')}\n${mention(plan.people)}, a reminder from your ${name} plan:\n\n${due.join('\n\n')}\n\nTick them when they are done, or agree together what to skip.\n`,
        });
      }
    }

    // The progress note: a badge per course whose boxes are all ticked; the end when all are.
    const badges = def.courses.flatMap((course, i) => {
      const section = progress.find((s) => s.section === `course-${i + 1}`);
      return section && section.open.length === 0 && section.ticked > 0
        ? [`- 🏅 **${inlineUserText(course.title)}**: badge earned (course ${i + 1})`]
        : [];
    });
    if (badges.length > 0 || done) {
      const lines = [
        ...(badges.length ? [`Badges earned: ${badges.length} of ${def.courses.length}`, '', ...badges, ''] : []),
        ...(done ? [`Every box of this plan is ticked: ${name} complete. Well done, ${mention(plan.people)}!`] : []),
      ];
      note(STATUS_MARKER, lines.join('\n'));
    }
    if (done && !issue.labels.includes(DONE_LABEL)) {
      steps.push({
        kind: 'editIssue',
        project,
        iid: issue.iid,
        edit: { addLabels: [DONE_LABEL] },
        because: ['every box of the plan is ticked'],
      });
    }
    return { steps, summary: `${total} boxes, ${done ? 'done' : 'in progress'}`, facts: { boxes: total, done, badges: badges.length } };
  },
};

export { programLabel };
