// Which column a card is in, read from its status labels.
import type { SkillsExchangeBoard } from '../config/types.js';

export type Status = 'backlog' | 'plan' | 'scheduled' | 'both';

export function statusOf(labels: readonly string[], board: Pick<SkillsExchangeBoard, 'labels'>): Status {
  const plan = labels.includes(board.labels.plan);
  const scheduled = labels.includes(board.labels.scheduled);
  if (plan && scheduled) return 'both';
  if (scheduled) return 'scheduled';
  if (plan) return 'plan';
  return 'backlog';
}

/** Scheduled, or in both columns at once: the "ready" checks apply. */
export function isScheduled(labels: readonly string[], board: Pick<SkillsExchangeBoard, 'labels'>): boolean {
  return labels.includes(board.labels.scheduled);
}
