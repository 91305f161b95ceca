// The board's baseline as the card and onboarding handlers read it: when Rhythm first met the
// board (queue/baselines.ts). A card nobody has changed since is the board's past: the card
// handler writes nothing on it, and the onboarding issue lists what Rhythm would say instead.
import type { RhythmConfig, SkillsExchangeBoard } from '../../config/types.js';
import type { LoadContext } from '../../engine/handler.js';
import type { GIssue } from '../../gitlab/types.js';
import type { Baselines } from '../../queue/baselines.js';
import type { CardMemory } from '../../queue/card-memory.js';

/** The onboarding issue's marker: the bot's own issue carrying it is the board's one onboarding issue. */
export const ONBOARDING_MARKER = '<!-- rhythm:onboarding -->';
/** What the onboarding issue is searched by (GitLab's issue search matches the description). */
export const ONBOARDING_SEARCH = 'rhythm:onboarding';

/**
 * The board's baseline as an ISO instant, recorded now when Rhythm meets the board for the first
 * time; null when the run has no store to keep one in (the past is then judged, as before). Now
 * is the wall clock, as GitLab's timestamps count, never the rules' clock (tests and demos move it).
 */
export async function boardBaseline(ctx: Pick<LoadContext, 'baselines'>, project: string): Promise<string | null> {
  if (!ctx.baselines) return null;
  return new Date(await ctx.baselines.ensure(project, Date.now())).toISOString();
}

/**
 * How long a card's job waits before it wakes the onboarding issue: the cards of one sweep then
 * make one update of it, not one each.
 */
export const ONBOARDING_DEBOUNCE_MS = 2000;

/**
 * Rhythm meets its boards when a process that keeps them starts on a store (`rhythm serve`, a
 * sweep on the service's database): each board without a baseline gets one now, before any
 * card is judged, so a card made after the start is judged as usual even before its first job.
 * A board this database has swept before (a Rhythm from before baselines, upgraded) is no first
 * meeting: its baseline is the epoch, and every card is judged as it was before the upgrade.
 */
export async function meetBoards(
  config: Pick<RhythmConfig, 'boards'>,
  baselines: Baselines,
  memory: Pick<CardMemory, 'mark'> | null,
): Promise<void> {
  const at = Date.now();
  for (const board of config.boards) {
    if (board.kind !== 'skills-exchange' || (await baselines.get(board.project)) !== null) continue;
    const sweptBefore = memory !== null && (await memory.mark(board.project)) !== null;
    await baselines.ensure(board.project, sweptBefore ? 0 : at);
  }
}

/** Nobody has changed the card since the baseline (GitLab's updated_at is not after it). */
export function untouchedSince(updatedAt: string, baseline: string | null): boolean {
  if (!baseline) return false;
  const at = Date.parse(updatedAt);
  return !Number.isNaN(at) && at <= Date.parse(baseline);
}

/** Whether the board gets an onboarding issue: the board's own `onboarding`, else the top level's (default true). */
export function onboardingWanted(config: Pick<RhythmConfig, 'onboarding'>, board: Pick<SkillsExchangeBoard, 'onboarding'>): boolean {
  return board.onboarding ?? config.onboarding ?? true;
}

/** The bot's own issue carrying the onboarding marker (a person's copy of the text never counts). */
export function isOnboardingIssue(issue: Pick<GIssue, 'description' | 'author'>, botUsername: string): boolean {
  return (
    issue.author?.username?.toLowerCase() === botUsername.toLowerCase() &&
    (issue.description ?? '').trimStart().startsWith(ONBOARDING_MARKER)
  );
}
