// A column move told by a delivery, taken without reading GitLab's label history when GitLab and
// the card memory confirm it (issue 13: one read per event). A delivery alone is no evidence (a
// signed payload can claim anything, and may be old or repeated), so the claim must agree with
// what the bot knows from elsewhere:
// - the GET of this job has exactly the labels the delivery says the card has now, and its
//   updated_at in the delivery's second (hooks give whole seconds, REST milliseconds): no change
//   came after it in a later second;
// - the memory had, at its last decision, exactly the labels the delivery says the card had
//   before, and that decision was made in an earlier second: this is the one move since;
// - one person's move, and no other column move among the job's deliveries.
// What a second can still hide (two more moves within it, back to the same labels) is why the
// loader takes the move only when its outcome does not depend on where the card came from
// (rules/transition.ts, alikeFromAnyColumn).
import type { SkillsExchangeBoard } from '../../config/types.js';
import type { GIssue } from '../../gitlab/types.js';
import type { StatusMove } from '../../rules/types.js';
import type { HookEvent } from '../../webhook/event.js';
import { statusKey, type Recalled } from './memory.js';

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((l) => y.has(l));
};

/** The whole second an instant falls in (epoch seconds), or NaN. */
const secondOf = (at: string | null | undefined): number => (at ? Math.floor(Date.parse(at) / 1000) : NaN);

/**
 * The move the job's deliveries tell, as GitLab's history would have it (at: the card's updated_at
 * from the GET), when the GET and the memory confirm it; null when the history must be read.
 */
export function confirmedMove(
  events: readonly HookEvent[],
  found: GIssue,
  recalled: Recalled | null,
  board: Pick<SkillsExchangeBoard, 'labels'>,
  botUsername: string,
): StatusMove | null {
  if (!recalled) return null;
  const moves = events.filter(
    (e) => e.kind === 'issue' && e.labelChange && statusKey(e.labelChange.previous, board) !== statusKey(e.labelChange.current, board),
  );
  if (moves.length !== 1) return null;
  const event = moves[0]!;
  const change = event.labelChange!;
  const actor = event.actor.toLowerCase();
  if (!actor || actor === botUsername.toLowerCase()) return null;
  const second = secondOf(event.at);
  if (Number.isNaN(second) || secondOf(found.updated_at) !== second) return null;
  if (!sameSet(change.current, found.labels) || !sameSet(event.labels, found.labels)) return null;
  if (!sameSet(change.previous, recalled.memo.labels)) return null;
  const known = Date.parse(recalled.row.updatedAt);
  if (Number.isNaN(known) || Math.floor(known / 1000) >= second) return null;
  return { previous: [...change.previous], current: [...found.labels], by: event.actor, at: found.updated_at };
}
