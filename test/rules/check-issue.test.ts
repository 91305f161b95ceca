import { describe, expect, it } from 'vitest';
import { checkIssue, rules } from '../../src/rules/index.js';
import type { RuleContext } from '../../src/rules/types.js';
import { aBoard, aCard, aContext } from './world.js';

const SECRET_TITLE = 'Acquisition of Initech by Globex';
const SECRET_TEXT = 'Confidential roadmap: Globex merger closes Q3';

describe('checking a card', () => {
  it('finds nothing wrong with a ready, scheduled card', () => {
    expect(checkIssue(aCard(), aContext())).toEqual([]);
  });

  it('says nothing about a closed card, however incomplete', () => {
    const closed = aCard({ state: 'closed', description: '', assignees: [], dueDate: null });
    expect(checkIssue(closed, aContext({ lastMove: { previous: [], current: ['status:scheduled'], by: 'a', at: 'x' } }))).toEqual([]);
  });

  it('judges a reopened card again', () => {
    const reopened = aCard({ state: 'opened', assignees: [], dueDate: null });
    expect(checkIssue(reopened, aContext()).map((f) => f.rule)).toEqual(['assignees', 'moderator', 'dueDate']);
  });

  it('runs only enabled rules, each in its own mode', () => {
    const board = aBoard({ moderator: 'fix' });
    board.rules.dueDate.enabled = false;
    const card = aCard({ assignees: ['alice'], dueDate: null });
    const findings = checkIssue(card, aContext({ board }));
    expect(findings.map((f) => [f.rule, f.fix?.kind ?? null])).toEqual([['moderator', 'assign']]);
  });

  it('shows findings in the order of the rules list, which names each rule once', () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    const card = aCard({ labels: ['status:plan', 'status:scheduled'], description: 'x', assignees: [], dueDate: null });
    expect(checkIssue(card, aContext()).map((f) => f.rule)).toEqual(['transition', 'assignees', 'moderator', 'dueDate', 'template']);
  });

  it('processes a confidential card but never puts its own text in a finding', () => {
    const contexts: RuleContext[] = [
      aContext(),
      aContext({ board: aBoard({ moderator: 'fix', transition: 'revert', template: 'fix' }) }),
      aContext({ lastMove: { previous: [], current: ['status:scheduled'], by: 'alice', at: '2026-03-10T00:00:00Z' } }),
    ];
    const cards = [
      aCard({ confidential: true, title: SECRET_TITLE, description: `${SECRET_TEXT}\nModerator: ${SECRET_TEXT}`, dueDate: null }),
      aCard({ confidential: true, title: SECRET_TITLE, description: `${SECRET_TEXT}\nModerator: @bob\nModerator: @carol` }),
      aCard({
        confidential: true,
        title: SECRET_TITLE,
        description: `## Topic\n${SECRET_TEXT}\nModerator: @ghost`,
        labels: ['status:plan', 'status:scheduled'],
      }),
    ];
    let seen = 0;
    for (const ctx of contexts) {
      for (const card of cards) {
        const findings = checkIssue(card, ctx);
        seen += findings.length;
        const text = JSON.stringify(findings);
        for (const secret of [SECRET_TITLE, SECRET_TEXT, 'Globex', 'Initech']) expect(text).not.toContain(secret);
      }
    }
    expect(seen).toBeGreaterThan(10);
  });
});
