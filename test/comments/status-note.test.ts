import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderStatusNote } from '../../src/comments/index.js';
import { checkIssue } from '../../src/rules/index.js';
import type { Finding } from '../../src/rules/types.js';
import { aBoard, aCard, aContext } from '../rules/world.js';

const board = aBoard();
const render = (findings: Finding[], over: Partial<Parameters<typeof renderStatusNote>[0]> = {}) =>
  renderStatusNote({ issue: aCard(), findings, applied: [], board, ...over });

const noModerator = checkIssue(aCard({ description: 'x' }), aContext()).filter((f) => f.rule === 'moderator');
const assignFix: Finding = {
  rule: 'moderator',
  severity: 'problem',
  message: 'The moderator is not assigned to the card.',
  howToFix: 'Assign the moderator in addition to the speaker.',
  fix: { kind: 'assign', usernames: ['bob'] },
  done: 'Assigned the moderator named in the Moderator line.',
  undo: 'Unassign them and change the Moderator line.',
};
const clash: Finding = {
  rule: 'conflict',
  severity: 'warning',
  message: 'Another scheduled session is on the same date (2026-03-12): #14.',
  howToFix: 'Move one of them.',
};

describe('the status note', () => {
  it('starts with its marker and a friendly heading', () => {
    const lines = render(noModerator).split('\n');
    expect(lines[0]).toBe('<!-- rhythm:status -->');
    expect(lines[1]).toMatch(/^#### .*Rhythm checked this card/);
  });

  it('says what is wrong, how to fix it, and links the handbook section that says why', () => {
    const text = render(noModerator);
    expect(text).toContain('**To fix**');
    expect(text).toContain('**Moderator:** The description has no `Moderator: @username` line.');
    expect(text).toContain('Add one line `Moderator: @username` naming the moderator.');
    expect(text).toContain('([why](https://handbook.example/skills-exchange/#scheduling-trainings))');
    expect(text).not.toContain('All checks pass');
    // One state at the top, before the list: what blocks the card (#14 item 5).
    expect(text.split('\n').find((l) => l.startsWith(':'))).toBe(
      ':warning: **One thing to fix** on this card in `status:scheduled`: it waits for the points below.',
    );
  });

  it('says what it fixed itself and how to undo it', () => {
    const text = render([], { applied: [assignFix] });
    expect(text).toContain('**What I fixed myself**');
    expect(text).toContain('Assigned the moderator named in the Moderator line. To undo: Unassign them');
    expect(text).toContain('All checks pass');
  });

  // Dry-run is the executor's alone: the note reads the same, and a dry run logs it unsent.
  it('lists an applied finding once, under what it fixed', () => {
    const text = render([assignFix], { applied: [assignFix] });
    expect(text).toContain('**What I fixed myself**');
    expect(text).not.toContain('**To fix**');
    expect(text).not.toMatch(/dry run/i);
  });

  it('says so when all checks pass, and still mentions warnings', () => {
    expect(render([])).toContain(':white_check_mark: **All checks pass** for this card in `status:scheduled`.');
    const warned = render([clash]);
    // Never "all checks pass" above a list of things to look at.
    expect(warned).not.toContain('All checks pass');
    expect(warned).toContain(':white_check_mark: **Nothing blocks this card** in `status:scheduled`. A few things are worth a look.');
    expect(warned).toContain('**Worth a look**');
    expect(warned).toContain('#14');
  });

  it('renders the same text for the same findings in any order (no clock, stable order)', () => {
    const findings = checkIssue(
      aCard({ description: 'x', assignees: [], dueDate: null, labels: ['status:plan', 'status:scheduled'] }),
      aContext(),
    );
    expect(findings.length).toBeGreaterThan(3);
    const once = render([...findings, clash]);
    expect(render([clash, ...findings].reverse())).toBe(once);
    expect(render([...findings, clash])).toBe(once);
  });

  it("quotes the person's own line, neutralised, on an open card", () => {
    const finding = checkIssue(aCard({ description: 'Moderator: bob /close @all' }), aContext()).find((f) => f.rule === 'moderator')!;
    const text = render([finding]);
    expect(text).toContain('  > Moderator: bob /close @\u200Ball');
    expect(text).not.toMatch(/^\s*\//m);
  });

  it("never shows a confidential card's title or description", () => {
    const secret = 'Globex acquisition roadmap';
    const card = aCard({
      confidential: true,
      title: secret,
      description: `## Topic\n${secret}\nModerator: ${secret}\nModerator: @ghost`,
      assignees: [],
      dueDate: null,
    });
    const findings = checkIssue(card, aContext());
    // Even if a finding carried the card's words, the note leaves them out.
    findings.push({ ...clash, excerpt: secret });
    const text = renderStatusNote({ issue: card, findings, applied: [], board });
    expect(findings.length).toBeGreaterThan(2);
    expect(text).not.toContain('Globex');
  });

  it('lets no quoted text start a quick action or mention anyone, whatever it is', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.constantFrom('/close', '\n/label ~x', '@all', '\r/reopen'),
        (text, attack) => {
          const out = render([{ ...clash, excerpt: `${text}${attack}${text}` }]);
          expect(out.split(/\r\n|\r|\n|\u2028|\u2029/).some((line) => /^\s*\//.test(line))).toBe(false);
          expect(out).not.toMatch(/@[A-Za-z0-9_]/);
        },
      ),
      { numRuns: 100 },
    );
  });
});
