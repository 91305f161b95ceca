// The scheduled column in due-date order, with the fewest reorder calls (board/plan.ts plans).
import { performance } from 'node:perf_hooks';
import type { HandlerFor } from '../../engine/handler.js';
import type { Step } from '../../engine/steps.js';
import type { GIssue } from '../../gitlab/types.js';
import { planColumn, type Card, type Move } from '../../board/plan.js';
import { boardFor } from '../card/index.js';
import { columnKey } from '../../engine/keys.js';

export interface ColumnState {
  project: string;
  label: string;
  cards: Card[];
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

function stepOf(move: Move, state: ColumnState): Step {
  const iidOf = (id: number) => state.cards.find((c) => c.id === id)?.iid;
  return move.moveBeforeId !== undefined
    ? {
        kind: 'reorderIssue',
        project: state.project,
        iid: move.iid,
        to: { moveBeforeId: move.moveBeforeId },
        what: `below #${iidOf(move.moveBeforeId)}`,
      }
    : {
        kind: 'reorderIssue',
        project: state.project,
        iid: move.iid,
        to: { moveAfterId: move.moveAfterId! },
        what: `above #${iidOf(move.moveAfterId!)}`,
      };
}

export const column: HandlerFor<'column', ColumnState> = {
  kind: 'column',

  async load(key, _events, ctx) {
    const board = boardFor(ctx, key.project);
    if (!board || !board.order.enabled) return { skip: 'column ordering is off' };
    // The sweep's listing in board order, patched with every card the bot read or wrote since,
    // may show that nothing needs moving. Moves are only ever planned from a fresh listing.
    const cached = columnKey(key.project, key.label);
    const listed = ctx.columns.ordered(cached, ctx.now.getTime());
    if (listed && planColumn(listed).length === 0) return { state: { project: key.project, label: key.label, cards: listed } };
    // REST hides relative_position, but this listing comes back in board order (ASC NULLS LAST).
    const listedAt = performance.now();
    const issues = await ctx.gitlab.listIssues(key.project, {
      labels: [key.label],
      state: 'opened',
      orderBy: 'relative_position',
      sort: 'asc',
    });
    assertInColumn(issues, key.label);
    const cards = issues.map((i) => ({ id: i.id, iid: i.iid, dueDate: i.due_date }));
    // The moves planned from this listing change the board's order: the cached one is forgotten.
    ctx.columns.listedAfresh(cached, issues, listedAt);
    return { state: { project: key.project, label: key.label, cards } };
  },

  decide(state) {
    const moves = planColumn(state.cards);
    return {
      steps: moves.map((move) => stepOf(move, state)),
      summary: `${moves.length} moves for ${state.cards.length} cards`,
      facts: { column: state.label, cards: state.cards.length, moves: moves.length },
    };
  },
};
