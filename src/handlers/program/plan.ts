// A program plan as text: rendered from the program's template, and read back from the issue.
// Pure. The plan's hidden markers say which program it is, for whom and from when, and where each
// section (before the start, week n, course n) begins; its boxes are read with the one Markdown
// module, so a box in a code block or a quote never counts.
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import type { ValidatedConfig } from '../../config/types.js';
import { mentionsIn, readDocument } from '../../markdown/index.js';
import { isPersonName } from '../../markdown/username.js';

export type ProgramsConfig = NonNullable<ValidatedConfig['programs']>;
export type Program = ProgramsConfig['plans'][number];

/** The program of that name, if the config has one. */
export const planNamed = (programs: ProgramsConfig, name: string): Program | undefined => programs.plans.find((p) => p.name === name);

/** Who takes part (role → username, without @) and, for a program with weeks, the start date. */
export interface PlanFor {
  program: string;
  people: Record<string, string>;
  start?: string;
}

export class ProgramError extends Error {
  override name = 'ProgramError';
}

export const programLabel = (name: string) => `program::${name}`;
export const DONE_LABEL = 'program::done';

const PLAN_MARKER = /<!-- rhythm:program:([a-z0-9][a-z0-9-]*)((?: [a-z][a-z0-9-]*=[A-Za-z0-9_.-]+)*) -->/;
const SECTION_MARKER = /<!-- rhythm:program-section:(before|week-\d+|course-\d+) -->/;

export function planMarker(plan: PlanFor): string {
  const fields = [...(plan.start ? [['start', plan.start]] : []), ...Object.entries(plan.people)].map(([k, v]) => ` ${k}=${v}`);
  return `<!-- rhythm:program:${plan.program}${fields.join('')} -->`;
}
export const sectionMarker = (section: string) => `<!-- rhythm:program-section:${section} -->`;

/** The plan a description carries, from its marker (the first one). */
export function readPlanMarker(description: string): PlanFor | null {
  const m = PLAN_MARKER.exec(description);
  if (!m) return null;
  const people: Record<string, string> = {};
  let start: string | undefined;
  // Anyone who edits the description can write a marker: only a real date and person names
  // (never all, a group-like name or a path) get through, so a note can only mention people.
  for (const field of (m[2] ?? '').trim().split(' ').filter(Boolean)) {
    const [key, value] = field.split('=') as [string, string];
    if (key === 'start') {
      if (/^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value).isValid) start = value;
    } else if (isPersonName(value)) people[key] = value;
  }
  return { program: m[1]!, people, ...(start ? { start } : {}) };
}

/** Week n's first and last local dates (weeks counted from the start). */
export function weekDates(start: string, n: number, timezone: string): { from: string; to: string } {
  const first = DateTime.fromISO(start, { zone: timezone }).plus({ days: 7 * (n - 1) });
  return { from: first.toISODate()!, to: first.plus({ days: 6 }).toISODate()! };
}

const handlebars = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** The plan as Markdown: the marker, then the template's text; every section marker must be in it. */
export function renderPlan(program: Program, plan: PlanFor, templateText: string, timezone: string): { title: string; body: string } {
  const compile = (text: string) => {
    let t = compiled.get(text);
    if (!t) {
      t = handlebars.compile(text, { noEscape: true, strict: true });
      compiled.set(text, t);
    }
    return t;
  };
  if (program.weeks.length > 0 && !plan.start) throw new ProgramError(`program "${plan.program}" has weeks, so it needs a start date`);
  const weeks = program.weeks.map((week, i) => ({
    n: i + 1,
    title: week.title,
    ...weekDates(plan.start ?? '', i + 1, timezone),
    marker: sectionMarker(`week-${i + 1}`),
    tasks: week.tasks,
  }));
  const courses = program.courses.map((course, i) => ({
    n: i + 1,
    title: course.title,
    url: course.url ?? '',
    topics: course.topics,
    marker: sectionMarker(`course-${i + 1}`),
    boxes: program.courseBoxes.map((box) => `${box}: ${course.title}`),
  }));
  const data = {
    ...plan.people,
    people: plan.people,
    start: plan.start ?? '',
    end: weeks.length ? weeks[weeks.length - 1]!.to : '',
    before: program.before,
    beforeMarker: sectionMarker('before'),
    weeks,
    courses,
  };
  let text: string;
  let title: string;
  try {
    text = compile(templateText)(data);
    title = compile(program.title)(data).trim();
  } catch (err) {
    throw new ProgramError(`the template of program "${plan.program}" does not render: ${(err as Error).message}`);
  }
  const needed = [...(program.before.length ? ['before'] : []), ...weeks.map((w) => `week-${w.n}`), ...courses.map((c) => `course-${c.n}`)];
  const missing = needed.filter((section) => !text.includes(sectionMarker(section)));
  if (missing.length > 0) {
    throw new ProgramError(
      `the template of program "${plan.program}" must print each section's {{marker}} (missing: ${missing.join(', ')})`,
    );
  }
  return { title, body: `${planMarker(plan)}\n${text.replace(/\n{3,}/g, '\n\n').trim()}\n` };
}

/** The people and start a person wrote in a labelled issue: `Intern: @alice`, `Start: 2027-01-04`. */
export function readPeople(
  description: string,
  roles: readonly string[],
): { people: Record<string, string>; start?: string; missing: string[] } {
  const people: Record<string, string> = {};
  let start: string | undefined;
  for (const line of readDocument(description).lines) {
    // A `Role: @name` line is short: only its head is read, with a key pattern whose words cannot
    // overlap the spaces around them (linear in the line, whatever it holds).
    const m = /^\s*(?:[-*+]\s+)?[*_]{0,2}([a-z][a-z0-9-]*(?: [a-z0-9-]+)*)[*_]{0,2}\s*:[*_]{0,2}\s*(.*)$/i.exec(line.prose.slice(0, 200));
    if (!m) continue;
    const key = m[1]!.trim().toLowerCase();
    const rest = m[2]!.trim();
    if (key === 'start') {
      const date = /^(\d{4}-\d{2}-\d{2})\b/.exec(rest)?.[1];
      if (date && DateTime.fromISO(date).isValid) start ??= date;
      continue;
    }
    if (!roles.includes(key) || people[key]) continue;
    const first = mentionsIn(rest)[0];
    if (first?.person && first.at === 0) people[key] = first.name;
  }
  return { people, ...(start ? { start } : {}), missing: roles.filter((r) => !people[r]) };
}

export interface SectionProgress {
  section: string;
  ticked: number;
  /** The unticked boxes' text, as written. */
  open: string[];
}

/** Each section's boxes, ticked and not, in the plan's part of the description. */
export function readProgress(description: string): SectionProgress[] {
  const doc = readDocument(description);
  const items = new Map(doc.taskItems.map((item) => [item.line, item]));
  const sections: SectionProgress[] = [];
  let current: SectionProgress | null = null;
  let inPlan = false;
  doc.lines.forEach((line, index) => {
    if (!inPlan) {
      inPlan = PLAN_MARKER.test(line.raw);
      return;
    }
    const marker = SECTION_MARKER.exec(line.raw);
    if (marker && line.kind !== 'code') {
      current = sections.find((s) => s.section === marker[1]) ?? { section: marker[1]!, ticked: 0, open: [] };
      if (!sections.includes(current)) sections.push(current);
      return;
    }
    const item = items.get(index);
    // The plan's own boxes are list items; a quoted copy of one (a reply) does not count twice.
    if (!item || !current || line.kind === 'quote') return;
    if (item.checked) current.ticked += 1;
    else current.open.push(item.raw.replace(/^\s*[-*+]\s+\[[ xX]\]\s?/, ''));
  });
  return sections;
}
