// relative_position: one integer per issue, shared by every project under a top-level namespace.
// Mirrors GitLab's RelativePositioning mover: new issues go to the end; a move places the issue
// between two neighbours, shifting later issues up (silently, no hooks) when there is no gap.

import type { IssueRecord } from './types.js';

/** Gap left between neighbours; GitLab's mover also spreads items by a fixed ideal distance. */
export const IDEAL_GAP = 500;
export const START_POSITION = 0;

function positioned(scope: readonly IssueRecord[], except: IssueRecord): IssueRecord[] {
  return scope
    .filter((i) => i !== except && i.relativePosition !== null)
    .sort((a, b) => (a.relativePosition as number) - (b.relativePosition as number) || a.id - b.id);
}

export function endPosition(scope: readonly IssueRecord[], except: IssueRecord): number {
  const list = positioned(scope, except);
  const last = list[list.length - 1];
  return last ? (last.relativePosition as number) + IDEAL_GAP : START_POSITION;
}

/**
 * Place `issue` right after `before` and/or right before `after` (GitLab's move_between).
 * With both, they are sorted by position first. Returns the issues shifted to make room.
 */
export function moveBetween(
  scope: readonly IssueRecord[],
  issue: IssueRecord,
  before: IssueRecord | undefined,
  after: IssueRecord | undefined,
): IssueRecord[] {
  // A neighbour that was never placed goes to the end first, as GitLab's placement would do.
  for (const n of [before, after]) {
    if (n && n.relativePosition === null) n.relativePosition = endPosition(scope, n);
  }
  if (before && after && (before.relativePosition as number) > (after.relativePosition as number)) {
    [before, after] = [after, before];
  }
  const others = positioned(scope, issue);
  let lo: number | undefined;
  let hi: number | undefined;
  if (before && after) {
    lo = before.relativePosition as number;
    hi = after.relativePosition as number;
  } else if (before) {
    lo = before.relativePosition as number;
    hi = others.find((o) => (o.relativePosition as number) > (lo as number))?.relativePosition ?? undefined;
  } else if (after) {
    hi = after.relativePosition as number;
    const lower = others.filter((o) => (o.relativePosition as number) < (hi as number));
    lo = lower[lower.length - 1]?.relativePosition ?? undefined;
  }
  const shifted: IssueRecord[] = [];
  if (lo === undefined && hi === undefined) {
    issue.relativePosition = START_POSITION;
  } else if (lo === undefined) {
    issue.relativePosition = (hi as number) - IDEAL_GAP;
  } else if (hi === undefined) {
    issue.relativePosition = lo + IDEAL_GAP;
  } else {
    if (hi - lo < 2) {
      // No integer between the neighbours: shift everything from `hi` up (GitLab does this in bulk SQL).
      const from = hi;
      for (const o of others) {
        if ((o.relativePosition as number) >= from) {
          o.relativePosition = (o.relativePosition as number) + IDEAL_GAP;
          shifted.push(o);
        }
      }
      hi += IDEAL_GAP;
    }
    issue.relativePosition = Math.floor((lo + hi) / 2);
  }
  return shifted;
}
