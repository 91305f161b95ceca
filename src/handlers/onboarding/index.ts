// A board's onboarding issue: the first time Rhythm meets a board it records a baseline, leaves the
// board's past alone (the card handler writes nothing on a card nobody has changed since), and
// tells people here instead, per card, what it found and what it would say. Kept up to date in
// place until people have dealt with it: a person closed it (Rhythm never reopens or edits it
// again), or no card is left on it (each was changed since, and so judged on its own, or closed),
// and then Rhythm closes it itself. One per board, found by its hidden marker, never by title.
import { performance } from 'node:perf_hooks';
import type { SkillsExchangeBoard } from '../../config/types.js';
import type { HandlerFor, ListedIssues } from '../../engine/handler.js';
import { issueKey } from '../../engine/keys.js';
import type { GIssue, IssueEdit } from '../../gitlab/types.js';
import { boardFor, card } from '../card/index.js';
import { boardBaseline, isOnboardingIssue, ONBOARDING_SEARCH, onboardingWanted, untouchedSince } from './baseline.js';
import { renderOnboarded, renderOnboarding, type OnboardingText } from './render.js';
import { reportCard, type CardReport } from './report.js';

export interface OnboardingState {
  project: string;
  board: SkillsExchangeBoard;
  baseline: string;
  /** The bot's onboarding issue on the board (the oldest, if a race made two), open. */
  existing: GIssue | null;
  /** The cards the baseline holds back that Rhythm has something to say about, by iid. */
  cards: CardReport[];
}

/** The bot's onboarding issues on the board, oldest first. */
async function onboardingIssues(ctx: Parameters<typeof onboarding.load>[2], project: string): Promise<GIssue[]> {
  const found = await ctx.gitlab.listIssues(project, { search: ONBOARDING_SEARCH, state: 'all', orderBy: 'created_at', sort: 'asc' });
  return found.filter((i) => isOnboardingIssue(i, ctx.config.gitlab.botUsername)).sort((a, b) => a.iid - b.iid);
}

export const onboarding: HandlerFor<'onboarding', OnboardingState> = {
  kind: 'onboarding',

  async load(key, _events, ctx) {
    const board = boardFor(ctx, key.project);
    if (!board) return { skip: 'project is not configured' };
    if (!onboardingWanted(ctx.config, board)) return { skip: 'onboarding is off for this board' };
    const baseline = await boardBaseline(ctx, board.project);
    if (!baseline) return { skip: 'no database to keep the board’s baseline in' };
    const [existing] = await onboardingIssues(ctx, board.project);
    if (existing && existing.state !== 'opened') return { skip: 'the onboarding issue is closed: dealt with' };

    // The cards nobody has changed since the baseline, judged as the card handler judges them
    // (with the card memory, from what it remembers: no read per card when nothing changed).
    const open = await ctx.gitlab.listIssues(board.project, { state: 'opened', orderBy: 'created_at', sort: 'asc' });
    const bot = ctx.config.gitlab.botUsername;
    const held = open.filter((i) => !isOnboardingIssue(i, bot) && untouchedSince(i.updated_at, baseline));
    const at = performance.now();
    const listed: ListedIssues = new Map(held.map((i) => [issueKey(board.project, i.iid), { issue: i, at, incremental: false }]));
    const cards: CardReport[] = [];
    for (const issue of held) {
      const loaded = await card.load({ kind: 'card', project: board.project, iid: issue.iid }, [], { ...ctx, listed });
      if ('skip' in loaded || !loaded.state.held) continue;
      const report = reportCard(loaded.state);
      if (report) cards.push(report);
    }
    return { state: { project: board.project, board, baseline, existing: existing ?? null, cards } };
  },

  decide({ project, board, baseline, existing, cards }) {
    const facts = { cards: cards.length, ...(existing ? { iid: existing.iid } : {}) };
    if (!existing) {
      // A board whose past holds nothing to say needs no issue.
      if (cards.length === 0) return { steps: [], summary: 'nothing to report', facts };
      const text = renderOnboarding({ baseline, cards, board });
      return {
        steps: [
          { kind: 'createIssue', project, issue: { title: text.title, description: text.description }, what: 'the onboarding issue' },
        ],
        summary: 'created',
        facts,
      };
    }
    const done = cards.length === 0;
    const text = done ? renderOnboarded(baseline) : renderOnboarding({ baseline, cards, board });
    const edit = editOf(existing, text);
    if (done) edit.stateEvent = 'close';
    if (Object.keys(edit).length === 0) return { steps: [], summary: 'unchanged', facts };
    return {
      steps: [{ kind: 'editIssue', project, iid: existing.iid, edit, because: [done ? 'onboarded' : 'onboarding'] }],
      summary: done ? 'every card dealt with: closed' : 'updated',
      facts,
    };
  },
};

/** What differs between the issue and its text (nothing: no write). */
function editOf(existing: GIssue, text: OnboardingText): IssueEdit {
  const edit: IssueEdit = {};
  if ((existing.description ?? '').trim() !== text.description.trim()) edit.description = text.description;
  if (existing.title !== text.title) edit.title = text.title;
  return edit;
}
