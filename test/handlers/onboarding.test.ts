// The onboarding issue as data: what it says of each card (people's words quoted, confidential
// titles left out, references that would ping the cards defused), GitLab's size limit, and when
// it is created, edited, left alone or closed.
import { describe, expect, it } from 'vitest';
import { TEXT_LIMIT } from '../../src/comments/limit.js';
import type { SkillsExchangeBoard } from '../../src/config/types.js';
import type { GIssue } from '../../src/gitlab/types.js';
import {
  isOnboardingIssue,
  meetBoards,
  ONBOARDING_MARKER,
  onboardingWanted,
  untouchedSince,
} from '../../src/handlers/onboarding/baseline.js';
import { MapBaselines } from '../../src/queue/baselines.js';
import { MapCardMemory } from '../../src/queue/card-memory.js';
import { onboarding, type OnboardingState } from '../../src/handlers/onboarding/index.js';
import { renderOnboarding } from '../../src/handlers/onboarding/render.js';
import type { CardReport } from '../../src/handlers/onboarding/report.js';
import { quickActionLines } from '../../src/markdown/index.js';
import { shippedConfig } from '../support/run-key.js';
import { anIssue, person } from './gitlab-issue.js';

const config = shippedConfig();
const board = config.boards.find((b): b is SkillsExchangeBoard => b.kind === 'skills-exchange')!;
const BASELINE = '2026-12-01T14:00:00.000Z';

const report = (iid: number, over: Partial<CardReport> = {}): CardReport => ({
  iid,
  title: `Session ${iid}`,
  column: 'scheduled',
  fixes: [],
  checklist: false,
  reminders: 0,
  note: ':warning: **One thing to fix**\n\n- **Moderator:** no `Moderator:` line.',
  ...over,
});

const state = (cards: CardReport[], existing: GIssue | null = null): OnboardingState => ({
  project: board.project,
  board,
  baseline: BASELINE,
  existing,
  cards,
});

describe('the onboarding issue’s text', () => {
  it('quotes people’s words: a title cannot run a command, mention anyone, link or reference a card', () => {
    const hostile = report(3, {
      title: '/close @all [win](https://evil.example) see #4',
      pastMove: {
        move: { previous: [], current: [board.labels.scheduled], by: 'mallory', at: '2026-11-20T09:00:00.000Z' },
        findings: [{ message: 'The card went from the backlog straight to `status:scheduled`.', done: 'Moved the card back.' }],
      },
      note: 'Another scheduled session is on the same date (2026-12-10): #5.',
    });
    const { description } = renderOnboarding({ baseline: BASELINE, cards: [hostile], board });
    expect(description.startsWith(ONBOARDING_MARKER)).toBe(true);
    expect(quickActionLines(description)).toEqual([]);
    expect(description).not.toMatch(/@all\b/);
    expect(description).not.toMatch(/(?<!\\)\]\(https?:/);
    expect(description).not.toContain('https://evil');
    expect(description).not.toMatch(/[#!&]\d/);
    expect(description).toContain('2026-12-01 14:00 UTC');
    expect(description).toMatch(/mallory moved it from the backlog to `status:scheduled` on 2026-11-20/);
    expect(description).toContain('would have answered: Moved the card back.');
  });

  it('leaves a confidential card’s title on the card', () => {
    const { title: _title, ...confidential } = report(7);
    const { description } = renderOnboarding({ baseline: BASELINE, cards: [confidential], board });
    expect(description).not.toContain('Session 7');
    expect(description).toContain('a confidential card');
  });

  it('stays under GitLab’s limit however many cards and however long their notes', () => {
    const cards = Array.from({ length: 400 }, (_, i) => report(i + 1, { note: `${'x'.repeat(80)}\n`.repeat(200) }));
    const { description } = renderOnboarding({ baseline: BASELINE, cards, board });
    expect(description.length).toBeLessThanOrEqual(TEXT_LIMIT);
    expect(description.startsWith(ONBOARDING_MARKER)).toBe(true);
    expect(description).toMatch(/more characters, on the card once it changes/);
    expect(description).toMatch(/left out the rest of the list/);
  });
});

describe('the onboarding issue’s steps', () => {
  const existing = (description: string, over: Partial<GIssue> = {}): GIssue =>
    anIssue({
      iid: 90,
      title: 'Rhythm onboarding: what Rhythm found on this board',
      description,
      labels: [],
      author: person(9, 'rhythm-bot'),
      ...over,
    });

  it('none when the board’s past holds nothing to say', () => {
    expect(onboarding.decide(state([])).steps).toEqual([]);
  });

  it('created once, then edited only when the list changed', () => {
    const created = onboarding.decide(state([report(1), report(2)])).steps;
    expect(created.map((s) => s.kind)).toEqual(['createIssue']);
    const { title, description: text } = (created[0] as { issue: { title: string; description: string } }).issue;
    expect(title).toContain('onboarding');
    expect(onboarding.decide(state([report(1), report(2)], existing(text))).steps).toEqual([]);
    expect(onboarding.decide(state([report(2)], existing(text))).steps).toMatchObject([{ kind: 'editIssue', iid: 90 }]);
  });

  it('closed by the bot once every card listed was dealt with', () => {
    const text = renderOnboarding({ baseline: BASELINE, cards: [report(1)], board }).description;
    const steps = onboarding.decide(state([], existing(text))).steps;
    expect(steps).toMatchObject([{ kind: 'editIssue', edit: { stateEvent: 'close' } }]);
    expect((steps[0] as { edit: { description: string } }).edit.description).toContain('has been dealt with');
  });

  it('is the bot’s own issue with the marker first; a person’s copy never counts', () => {
    expect(isOnboardingIssue(existing(`${ONBOARDING_MARKER}\nx`), 'rhythm-bot')).toBe(true);
    expect(isOnboardingIssue(existing(`${ONBOARDING_MARKER}\nx`, { author: person(1, 'alice') }), 'rhythm-bot')).toBe(false);
    expect(isOnboardingIssue(existing(`quoting ${ONBOARDING_MARKER}`), 'rhythm-bot')).toBe(false);
  });
});

describe('meeting the boards', () => {
  it('a board met for the first time gets the start as its baseline; one this database swept before (an upgrade) the epoch', async () => {
    const fresh = new MapBaselines();
    const before = Date.now();
    await meetBoards(config, fresh, new MapCardMemory());
    expect(await fresh.get(board.project)).toBeGreaterThanOrEqual(before);

    const upgraded = new MapBaselines();
    const memory = new MapCardMemory();
    await memory.setMark(board.project, before - 3600_000, true);
    await meetBoards(config, upgraded, memory);
    expect(await upgraded.get(board.project)).toBe(0);
    // Met once: a later start changes nothing.
    await meetBoards(config, fresh, null);
    expect(await fresh.get(board.project)).toBeLessThanOrEqual(Date.now());
    expect(await fresh.get(board.project)).toBeGreaterThanOrEqual(before);
  });
});

describe('the baseline’s words', () => {
  it('a card is untouched while GitLab’s updated_at is not after the baseline', () => {
    expect(untouchedSince('2026-12-01T13:59:59.999Z', BASELINE)).toBe(true);
    expect(untouchedSince(BASELINE, BASELINE)).toBe(true);
    expect(untouchedSince('2026-12-01T14:00:00.001Z', BASELINE)).toBe(false);
    expect(untouchedSince('2026-01-01T00:00:00.000Z', null)).toBe(false);
  });

  it('onboarding: a board’s own key wins over the top level; left out everywhere, it is on', () => {
    expect(onboardingWanted({}, {})).toBe(true);
    expect(onboardingWanted({ onboarding: false }, {})).toBe(false);
    expect(onboardingWanted({ onboarding: false }, { onboarding: true })).toBe(true);
    expect(onboardingWanted({}, { onboarding: false })).toBe(false);
  });
});
