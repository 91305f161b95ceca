// A card's plan is data: these tests read it without any server.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SkillsExchangeBoard } from '../../src/config/types.js';
import { appliedHistory, planIssue, type IssuePlanInput } from '../../src/handlers/card/plan.js';
import type { GNote } from '../../src/gitlab/types.js';
import { noteMarker, renderStatusNote } from '../../src/comments/index.js';
import type { Finding, IssueSnapshot } from '../../src/rules/types.js';
import { REPO } from '../support/world.js';

const loaded = loadConfig(`${REPO}rhythm.yml`, { GITLAB_TOKEN: 'x' });
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const board = loaded.config.boards.find((b): b is SkillsExchangeBoard => b.kind === 'skills-exchange')!;

const issue = (over: Partial<IssueSnapshot> = {}): IssueSnapshot => ({
  project: board.project,
  id: 1001,
  iid: 1,
  title: 'A session',
  description: 'Moderator: @carol',
  state: 'opened',
  labels: [],
  assignees: ['bob'],
  author: 'bob',
  dueDate: null,
  confidential: false,
  webUrl: 'http://x/1',
  ...over,
});

const botNote = (id: number, body: string): GNote => ({
  id,
  body,
  author: { id: 1, username: 'rhythm-bot', name: 'Rhythm' },
  system: false,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
});

const input = (over: Partial<IssuePlanInput> = {}): IssuePlanInput => ({
  issue: issue(),
  assigneeIds: { bob: 3 },
  findings: [],
  board,
  notes: [],
  botUsername: 'rhythm-bot',
  users: { carol: { id: 4, username: 'carol' } },
  now: new Date('2026-11-23T18:00:00Z'),
  timezone: 'America/Los_Angeles',
  ...over,
});

const problem: Finding = { rule: 'assignees', severity: 'problem', message: 'No one is assigned.', howToFix: 'Assign the speaker.' };
const assignCarol: Finding = {
  rule: 'moderator',
  severity: 'problem',
  message: 'The moderator is not assigned to the card.',
  howToFix: 'Assign the moderator.',
  fix: { kind: 'assign', usernames: ['carol'] },
};
const revert: Finding = {
  rule: 'transition',
  severity: 'problem',
  message: 'Skipped planning.',
  howToFix: 'Move it to plan first.',
  fix: { kind: 'labels', add: ['status:plan'], remove: ['status:scheduled'] },
};

describe('planIssue', () => {
  it('plans nothing for a card that was always fine', () => {
    expect(planIssue(input()).steps).toEqual([]);
  });

  it('posts one note for a problem, and does not edit it when the text would be the same', () => {
    const first = planIssue(input({ findings: [problem] }));
    expect(first.steps).toHaveLength(1);
    const step = first.steps[0]!;
    expect(step.kind).toBe('createNote');
    const body = step.kind === 'createNote' ? step.body : '';
    expect(body).toContain(noteMarker('status'));
    const again = planIssue(input({ findings: [problem], notes: [botNote(9, body)] }));
    expect(again.steps).toEqual([]);
  });

  it('edits the existing note in place when the findings change', () => {
    const old = renderStatusNote({ issue: issue(), findings: [problem], applied: [], board });
    const plan = planIssue(input({ notes: [botNote(9, old)] }));
    expect(plan.steps).toEqual([expect.objectContaining({ kind: 'editNote', noteId: 9 })]);
  });

  it('adds the moderator by id (the executor adds to whoever is assigned then), and remembers the fix in the note', () => {
    const plan = planIssue(input({ findings: [assignCarol] }));
    expect(plan.steps[0]).toEqual({
      kind: 'editIssue',
      project: board.project,
      iid: 1,
      edit: {},
      addAssignees: [4],
      because: ['moderator'],
    });
    const note = plan.steps.find((s) => s.kind === 'createNote');
    // With the day it was made, in the team's zone (the note tells it as history).
    expect(note && 'body' in note ? appliedHistory(note.body) : []).toEqual([{ ...assignCarol, at: '2026-11-23' }]);
  });

  it('a revert moves the labels and posts no checklist, since the card leaves the column', () => {
    const plan = planIssue(input({ issue: issue({ labels: ['status:scheduled'], dueDate: '2026-12-10' }), findings: [revert] }));
    expect(plan.steps[0]).toEqual({
      kind: 'editIssue',
      project: board.project,
      iid: 1,
      edit: { addLabels: ['status:plan'], removeLabels: ['status:scheduled'] },
      because: ['transition'],
      judgedLabels: ['status:scheduled'],
    });
    expect(plan.steps.some((s) => 'marker' in s && s.marker === noteMarker('checklist'))).toBe(false);
  });

  it('posts the checklist once for a ready scheduled card', () => {
    const ready = issue({ labels: ['status:scheduled'], assignees: ['bob', 'carol'], dueDate: '2026-12-10' });
    const plan = planIssue(input({ issue: ready }));
    const checklist = plan.steps.find((s) => 'marker' in s && s.marker === noteMarker('checklist'));
    expect(checklist).toBeDefined();
    const body = checklist && 'body' in checklist ? checklist.body : '';
    expect(planIssue(input({ issue: ready, notes: [botNote(7, body)] })).steps).toEqual([]);
  });

  it('reminds two days before the session (team time zone), once', () => {
    // 2026-11-23T18:00Z is 10:00 on the 23rd in Los Angeles; the session is on the 25th.
    const soon = issue({ labels: ['status:scheduled'], assignees: ['bob', 'carol'], dueDate: '2026-11-25' });
    const checklist = planIssue(input({ issue: soon })).steps.find((s) => 'marker' in s && s.marker === noteMarker('checklist'))!;
    const notes = [botNote(7, 'body' in checklist ? checklist.body : '')];
    const plan = planIssue(input({ issue: soon, notes }));
    const reminder = plan.steps.find((s) => 'marker' in s && s.marker === noteMarker('reminder:before:2026-11-25'));
    expect(reminder).toBeDefined();
    const posted = [...notes, botNote(8, reminder && 'body' in reminder ? reminder.body : '')];
    expect(planIssue(input({ issue: soon, notes: posted })).steps).toEqual([]);
    // Three days before: not yet.
    const later = issue({ labels: ['status:scheduled'], assignees: ['bob', 'carol'], dueDate: '2026-11-26' });
    expect(planIssue(input({ issue: later, notes })).steps.some((s) => 'marker' in s && s.marker.includes('reminder:before'))).toBe(false);
  });

  it('mentions a moderator only as the user GitLab answered for: never a group, never the bot (issue 12, item 13)', () => {
    const scheduled = { labels: ['status:scheduled'], assignees: ['bob', 'carol'], dueDate: '2026-11-25' };
    const bodies = (description: string, users: IssuePlanInput['users']) =>
      planIssue(input({ issue: issue({ ...scheduled, description }), users }))
        .steps.flatMap((s) => ('body' in s ? [s.body] : []))
        .join('\n');
    // A group's name finds no user: it is never pinged.
    expect(bodies('Moderator: @gitlab-com', { 'gitlab-com': null })).not.toMatch(/@gitlab-com/);
    expect(bodies('Moderator: @rhythm-bot', { 'rhythm-bot': { id: 1, username: 'rhythm-bot' } })).not.toMatch(/@rhythm-bot/);
    // A real user is, spelled as GitLab spells the account.
    expect(bodies('Moderator: @CAROL', { carol: { id: 4, username: 'carol' } })).toMatch(/@carol/);
  });

  it('deletes a bot note that repeats an older one\u2019s marker, never a person\u2019s (issue 12, item 10)', () => {
    const status = noteMarker('status');
    const alices: GNote = { ...botNote(6, `${status}\nquoting the bot`), author: { id: 2, username: 'alice', name: 'Alice' } };
    const notes = [botNote(9, `${status}\nnewer twin`), alices, botNote(5, `${status}\nthe note`), botNote(7, noteMarker('checklist'))];
    const steps = planIssue(input({ notes })).steps.filter((s) => s.kind === 'deleteNote');
    expect(steps).toEqual([{ kind: 'deleteNote', project: board.project, iid: 1, noteId: 9, marker: status }]);
  });

  it('asks for the recording once per card, and only after a day the card was really scheduled for (issue 12, item 14)', () => {
    const past = issue({ labels: ['status:scheduled'], assignees: ['bob', 'carol'], dueDate: '2026-11-20' });
    const checklist = planIssue(input({ issue: past })).steps.find((s) => 'marker' in s && s.marker === noteMarker('checklist'));
    const notes = checklist && 'body' in checklist ? [botNote(7, checklist.body)] : [];
    const asks = (over: Partial<IssuePlanInput>) =>
      planIssue(input({ issue: past, notes, ...over })).steps.some((s) => 'marker' in s && s.marker.includes('reminder:recording'));
    // Dated and scheduled before the day: a real session.
    expect(asks({ dueDateSetAt: '2026-11-10T09:00:00Z', scheduledAt: '2026-11-12T09:00:00Z' })).toBe(true);
    // The date was typed in after the day had passed (a typo into last year, a date moved back).
    expect(asks({ dueDateSetAt: '2026-11-23T17:00:00Z', scheduledAt: '2026-11-12T09:00:00Z' })).toBe(false);
    // Moved into the scheduled column only after its day.
    expect(asks({ dueDateSetAt: '2026-11-10T09:00:00Z', scheduledAt: '2026-11-22T09:00:00Z' })).toBe(false);
    // Asked once already, for another date: not again.
    const asked = [...notes, botNote(8, `${noteMarker('reminder:recording:2026-11-13')}\nThank you!`)];
    expect(asks({ notes: asked, dueDateSetAt: '2026-11-10T09:00:00Z' })).toBe(false);
  });

  it('asks for the recording after the date until a link is in the issue', () => {
    const past = issue({ labels: ['status:scheduled'], assignees: ['bob', 'carol'], dueDate: '2026-11-20' });
    const checklist = planIssue(input({ issue: past })).steps.find((s) => 'marker' in s && s.marker === noteMarker('checklist'));
    const notes = checklist && 'body' in checklist ? [botNote(7, checklist.body)] : [];
    const asks = planIssue(input({ issue: past, notes }));
    expect(asks.steps.some((s) => 'marker' in s && s.marker === noteMarker('reminder:recording:2026-11-20'))).toBe(true);
    const withLink = { ...past, description: `${past.description}\n\nRecording: https://youtu.be/abc123def45` };
    expect(planIssue(input({ issue: withLink, notes })).steps.some((s) => 'marker' in s && s.marker.includes('reminder:recording'))).toBe(
      false,
    );
  });
});
