import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_HINTS, template, unfilledSections } from '../../src/rules/index.js';
import { parseSections, stripHtmlComments } from '../../src/markdown/index.js';
import { FILLED_REQUEST, aBoard, aCard, aContext } from './world.js';

const REQUIRED = ['Topic', 'Why is this valuable', 'Speaker'];
const SHIPPED = readFileSync(fileURLToPath(new URL('../../templates/request-session.md', import.meta.url)), 'utf8');

describe('the request template rule', () => {
  it.each([
    ['every section filled in', FILLED_REQUEST, []],
    ['the template exactly as shipped', SHIPPED, ['Topic ~', 'Why is this valuable ~', 'Speaker ~']],
    ['a section missing', '## Topic\nRunners\n## Speaker\nalice', ['Why is this valuable !']],
    ['all sections missing', 'Please do a session on runners', ['Topic !', 'Why is this valuable !', 'Speaker !']],
    [
      'hint text left after deleting the comment markers',
      FILLED_REQUEST.replace('alice', 'Who would present? Write @username if you know.'),
      ['Speaker ~'],
    ],
    ['a placeholder word', FILLED_REQUEST.replace('alice', 'TBD'), ['Speaker ~']],
    [
      'headings in another case and with a question mark',
      FILLED_REQUEST.replace('## Why is this valuable', '### why is this VALUABLE?'),
      [],
    ],
    ['a heading inside a code block does not count', '```\n## Topic\nx\n```\n## Why is this valuable\ny\n## Speaker\nz', ['Topic !']],
    ['a subsection fills its section', FILLED_REQUEST.replace('Customers ask about it every week.', '### Details\nThey ask weekly.'), []],
    ['a section whose only text is a hidden comment', FILLED_REQUEST.replace('alice', '<!-- someone -->'), ['Speaker ~']],
  ])('%s', (_case, description, expected) => {
    const gaps = unfilledSections(description, REQUIRED).map((g) => `${g.heading} ${g.missing ? '!' : '~'}`);
    expect(gaps).toEqual(expected);
  });

  it('names the sections in its one finding, a problem in the backlog and a warning once planned', () => {
    const backlog = template.check(aCard({ labels: [], description: SHIPPED }), aContext(), 'comment');
    expect(backlog).toHaveLength(1);
    expect(backlog[0]?.severity).toBe('problem');
    expect(backlog[0]?.message).toContain('**Topic** (not filled in)');
    const planned = template.check(aCard({ labels: ['status:plan'], description: SHIPPED }), aContext(), 'comment');
    expect(planned[0]?.severity).toBe('warning');
  });

  it('in fix mode, adds the needs-info label while sections are missing and removes it once they are filled in', () => {
    const ctx = aContext({ board: aBoard({ template: 'fix' }) });
    const incomplete = template.check(aCard({ labels: [], description: 'hello' }), ctx, 'fix');
    expect(incomplete.map((f) => f.fix)).toEqual([undefined, { kind: 'labels', add: ['needs-info'], remove: [] }]);
    const alreadyLabelled = template.check(aCard({ labels: ['needs-info'], description: 'hello' }), ctx, 'fix');
    expect(alreadyLabelled.map((f) => f.fix)).toEqual([undefined]);
    const complete = template.check(aCard({ labels: ['needs-info'] }), ctx, 'fix');
    expect(complete.map((f) => f.fix)).toEqual([{ kind: 'labels', add: [], remove: ['needs-info'] }]);
    expect(template.check(aCard({ labels: [] }), ctx, 'fix')).toEqual([]);
  });

  it('in comment mode, leaves labels to people', () => {
    expect(template.check(aCard({ labels: ['needs-info'] }), aContext(), 'comment')).toEqual([]);
    expect(template.check(aCard({ labels: [], description: 'hi' }), aContext(), 'comment').every((f) => !f.fix)).toBe(true);
  });

  it('knows every hint of the shipped template, so the two cannot drift apart', () => {
    // The section hints are the one-line comments; the longer ones above and below are notes for people.
    const hints = [...SHIPPED.matchAll(/^<!-- (.+) -->$/gm)].map((m) => m[1]);
    expect(hints).toHaveLength(5);
    expect(new Set(hints)).toEqual(new Set(TEMPLATE_HINTS));
    const defaults = aBoard().rules.template;
    const headings = parseSections(stripHtmlComments(SHIPPED)).map((s) => s.heading);
    expect(headings).toEqual([...defaults.required, ...defaults.optional]);
  });
});
