// The last move between columns. A webhook's changes.labels and a sweep's label history both end
// up here, as the full label sets before and after, so the transition rule judges them alike.
import type { SkillsExchangeBoard } from '../config/types.js';
import type { LabelChange, StatusMove } from './types.js';

export type { StatusMove } from './types.js';

/** The move a label change made, or null when it touched neither status label. */
export function moveFromChanges(
  previousLabels: readonly string[],
  currentLabels: readonly string[],
  by: string,
  at: string,
  board?: Pick<SkillsExchangeBoard, 'labels'>,
): StatusMove | null {
  const before = new Set(previousLabels);
  const after = new Set(currentLabels);
  const changed = [...before, ...after].filter((l) => before.has(l) !== after.has(l));
  if (changed.length === 0) return null;
  if (board && !changed.some((l) => l === board.labels.plan || l === board.labels.scheduled)) return null;
  return { previous: [...previousLabels], current: [...currentLabels], by, at };
}

/**
 * Every change in the history (oldest first) that added or removed a status label, with the full
 * label sets around it. Labels are replayed from the start of the history, so labels that never
 * changed do not matter: only the status labels are judged.
 */
export function statusMoves(history: readonly LabelChange[], board: Pick<SkillsExchangeBoard, 'labels'>): StatusMove[] {
  const status = new Set([board.labels.plan, board.labels.scheduled]);
  let labels = new Set<string>();
  const moves: StatusMove[] = [];
  for (const change of history) {
    const previous = [...labels];
    const next = new Set(labels);
    for (const label of change.removed) next.delete(label);
    for (const label of change.added) next.add(label);
    const touched = [...change.added, ...change.removed].some((l) => status.has(l));
    const moved = touched && [...status].some((l) => labels.has(l) !== next.has(l));
    if (moved) moves.push({ previous, current: [...next], by: change.by, at: change.at });
    labels = next;
  }
  return moves;
}

/** The most recent move between columns in the history (oldest first), or null. */
export function lastStatusMove(history: readonly LabelChange[], board: Pick<SkillsExchangeBoard, 'labels'>): StatusMove | null {
  return statusMoves(history, board).at(-1) ?? null;
}

/** When `label` was last added in the history (oldest first), or null when it never was. */
export function lastAddedAt(history: readonly LabelChange[], label: string): string | null {
  let at: string | null = null;
  for (const change of history) if (change.added.includes(label)) at = change.at;
  return at;
}
