// Puts one board column in due-date order through the Door, with the fewest reorder calls.

import type { Door, GIssue } from '../gitlab/types.js';
import { planColumn, type Card, type Move } from './plan.js';

export interface OrderOptions {
  dryRun: boolean;
  log: { info(obj: object, msg?: string): void };
}

export interface OrderResult {
  cards: number;
  moves: number;
}

// The query promises only open cards carrying the label; a door that breaks that promise must not
// get a closed issue or one from another column dragged around.
function assertInColumn(issues: GIssue[], label: string): void {
  for (const issue of issues) {
    if (issue.state !== 'opened') {
      throw new Error(`column ${label}: listing returned closed issue #${issue.iid}; nothing reordered`);
    }
    if (!issue.labels.includes(label)) {
      throw new Error(`column ${label}: listing returned #${issue.iid} without the label; nothing reordered`);
    }
  }
}

function anchorOf(move: Move, iidById: Map<number, number>): { side: 'below' | 'above'; iid: number } {
  return move.moveBeforeId !== undefined
    ? { side: 'below', iid: iidById.get(move.moveBeforeId)! }
    : { side: 'above', iid: iidById.get(move.moveAfterId!)! };
}

export async function orderColumn(
  door: Door,
  project: string,
  label: string,
  opts: OrderOptions,
): Promise<OrderResult> {
  // REST hides relative_position, but this listing comes back in board order (ASC NULLS LAST).
  const issues = await door.listIssues(project, {
    labels: [label],
    state: 'opened',
    orderBy: 'relative_position',
    sort: 'asc',
  });
  assertInColumn(issues, label);
  const cards: Card[] = issues.map((issue) => ({ id: issue.id, iid: issue.iid, dueDate: issue.due_date }));
  const moves = planColumn(cards);
  const iidById = new Map(cards.map((card) => [card.id, card.iid]));

  for (const move of moves) {
    const anchor = anchorOf(move, iidById);
    const entry = { project, column: label, iid: move.iid, [anchor.side]: anchor.iid, dryRun: opts.dryRun };
    if (opts.dryRun) {
      opts.log.info(entry, `dry-run: would move #${move.iid} ${anchor.side} #${anchor.iid}`);
      continue;
    }
    const to = move.moveBeforeId !== undefined ? { moveBeforeId: move.moveBeforeId } : { moveAfterId: move.moveAfterId! };
    await door.reorderIssue(project, move.iid, to);
    opts.log.info(entry, `moved #${move.iid} ${anchor.side} #${anchor.iid}`);
  }
  opts.log.info(
    { project, column: label, cards: cards.length, moves: moves.length, dryRun: opts.dryRun },
    opts.dryRun ? 'dry-run: column order planned, nothing sent' : 'column ordered',
  );
  return { cards: cards.length, moves: moves.length };
}
