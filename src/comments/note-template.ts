// The Handlebars templates of the bot's notes, read and compiled once. `noEscape` because the
// output is Markdown, not HTML; `strict` so a missing field fails loudly instead of rendering
// blank. Every value reaching a template is prepared first (user text quoted, names sanitised).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { quickActionLines } from '../markdown/index.js';

const TEMPLATES = new URL('../../templates/', import.meta.url);
const handlebars = Handlebars.create(); // our own instance: no helpers or partials from elsewhere

// Read when the module loads, so rendering a note (inside a pure decide) touches no file.
const FILES = ['note.md.hbs', 'scheduled-checklist.md.hbs', 'reminder-before.md.hbs', 'reminder-recording.md.hbs'] as const;
export type NoteTemplate = (typeof FILES)[number];
const compiled = new Map<string, Handlebars.TemplateDelegate>(
  FILES.map((file) => [
    file,
    handlebars.compile(readFileSync(fileURLToPath(new URL(file, TEMPLATES)), 'utf8'), { noEscape: true, strict: true }),
  ]),
);

export function noteTemplate(file: NoteTemplate): Handlebars.TemplateDelegate {
  const template = compiled.get(file);
  if (!template) throw new Error(`no note template ${file}`);
  return template;
}

/**
 * The last line of defence before a note leaves: GitLab runs a quick action for any line that
 * starts with `/`, so a note with one is refused rather than posted.
 */
export function guardNote(body: string): string {
  if (quickActionLines(body).length > 0) throw new Error('refusing to render a note with a line that GitLab would run as a quick action');
  return body.replace(/\n{3,}/g, '\n\n').trim() + '\n';
}
