import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMoves, planColumn, targetOrder, type Card, type Move } from '../../src/board/plan.js';

// Global ids deliberately differ from iids so a plan that mixes them up fails.
const card = (iid: number, dueDate: string | null): Card => ({ id: 1000 + iid * 7, iid, dueDate });
const iids = (cards: Card[]): number[] => cards.map((c) => c.iid);

/** Length of the longest run of cards already in target order, by the plain O(n²) DP. */
function keptLength(current: Card[]): number {
  const target = targetOrder(current);
  const rank = new Map(target.map((c, i) => [c.id, i]));
  const r = current.map((c) => rank.get(c.id)!);
  const best = r.map(() => 1);
  let longest = 0;
  for (let i = 0; i < r.length; i++) {
    for (let j = 0; j < i; j++) if (r[j]! < r[i]! && best[j]! + 1 > best[i]!) best[i] = best[j]! + 1;
    longest = Math.max(longest, best[i]!);
  }
  return longest;
}

const dateOf = (day: number): string =>
  `2025-${String(1 + Math.floor(day / 28)).padStart(2, '0')}-${String(1 + (day % 28)).padStart(2, '0')}`;

// A few dozen dates for up to 500 cards, so ties are common; about one card in six has no date.
// The length is drawn first: left to itself fast-check keeps arrays short.
const columnCards = fc
  .integer({ min: 0, max: 500 })
  .chain((n) =>
    fc.uniqueArray(
      fc.record({
        iid: fc.integer({ min: 1, max: 100_000 }),
        day: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null, freq: 6 }),
      }),
      { selector: (c) => c.iid, minLength: n, maxLength: n },
    ),
  )
  .map((rows) => rows.map((row) => card(row.iid, row.day === null ? null : dateOf(row.day))));

// Random board order: mostly shuffled columns.
const shuffledColumn = columnCards;

// Nearly sorted columns, like a board after a card or two was dragged or re-dated: the target order
// with a few cards pulled out and dropped elsewhere.
const nearlySortedColumn = columnCards.chain((cards) =>
  fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }).map((drags) => {
    const column = targetOrder(cards);
    for (const [from, to] of drags) {
      if (column.length === 0) break;
      const [moved] = column.splice(from % column.length, 1);
      column.splice(to % (column.length + 1), 0, moved!);
    }
    return column;
  }),
);

const anyColumn = fc.oneof(shuffledColumn, nearlySortedColumn);

function checkPlan(current: Card[]): Move[] {
  const moves = planColumn(current);
  expect(iids(applyMoves(current, moves))).toEqual(iids(targetOrder(current)));
  expect(moves.length).toBe(current.length - keptLength(current));
  return moves;
}

describe('targetOrder', () => {
  it('reads by due date, earliest first, cards without a date last, ties by lower iid', () => {
    const cards = [card(5, null), card(9, '2025-03-04'), card(2, '2025-03-04'), card(1, null), card(7, '2025-01-31')];
    expect(iids(targetOrder(cards))).toEqual([7, 2, 9, 1, 5]);
  });

  it('leaves the column it was given untouched', () => {
    const cards = [card(2, '2025-02-01'), card(1, '2025-01-01')];
    targetOrder(cards);
    expect(iids(cards)).toEqual([2, 1]);
  });
});

describe('applyMoves follows GitLab: move_before_id ends up above, move_after_id below', () => {
  const [a, b, c, d] = [card(1, null), card(2, null), card(3, null), card(4, null)];
  const column = [a, b, c, d];

  it('places the card directly below the move_before_id card', () => {
    expect(iids(applyMoves(column, [{ iid: 1, id: a.id, moveBeforeId: c.id }]))).toEqual([2, 3, 1, 4]);
  });

  it('places the card directly above the move_after_id card', () => {
    expect(iids(applyMoves(column, [{ iid: 4, id: d.id, moveAfterId: b.id }]))).toEqual([1, 4, 2, 3]);
  });

  it('places the card between two neighbouring anchors whichever way round they are given', () => {
    expect(iids(applyMoves(column, [{ iid: 1, id: a.id, moveBeforeId: c.id, moveAfterId: d.id }]))).toEqual([2, 3, 1, 4]);
    expect(iids(applyMoves(column, [{ iid: 1, id: a.id, moveBeforeId: d.id, moveAfterId: c.id }]))).toEqual([2, 3, 1, 4]);
  });

  it('refuses moves GitLab could not make as meant', () => {
    expect(() => applyMoves(column, [{ iid: 1, id: a.id }])).toThrow(/no anchor/);
    expect(() => applyMoves(column, [{ iid: 1, id: a.id, moveBeforeId: a.id }])).toThrow(/itself/);
    expect(() => applyMoves(column, [{ iid: 1, id: a.id, moveBeforeId: 99 }])).toThrow(/not in the column/);
    expect(() => applyMoves(column, [{ iid: 2, id: a.id, moveBeforeId: c.id }])).toThrow(/iid 2/);
    expect(() => applyMoves(column, [{ iid: 2, id: b.id, moveBeforeId: a.id, moveAfterId: d.id }])).toThrow(/neighbours/);
  });
});

describe('planColumn', () => {
  it('moves the one late card directly below the card it follows, by global id', () => {
    const [x, y, z] = [card(10, '2025-01-01'), card(11, '2025-01-02'), card(12, '2025-01-03')];
    expect(planColumn([y, z, x])).toEqual([{ iid: 10, id: x.id, moveAfterId: y.id }]);
    expect(planColumn([x, z, y])).toEqual([{ iid: 12, id: z.id, moveBeforeId: y.id }]);
  });

  it('moves nothing in an empty, single-card or already ordered column', () => {
    expect(planColumn([])).toEqual([]);
    expect(planColumn([card(1, null)])).toEqual([]);
    fc.assert(
      fc.property(columnCards, (cards) => planColumn(targetOrder(cards)).length === 0),
      { numRuns: 50 },
    );
  });

  it('moves all but one card of a column in reverse order', () => {
    fc.assert(
      fc.property(columnCards, (cards) => {
        const reversed = targetOrder(cards).reverse();
        expect(checkPlan(reversed).length).toBe(Math.max(0, cards.length - 1));
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a column that lists a card twice', () => {
    expect(() => planColumn([card(1, null), card(1, null)])).toThrow(/twice/);
  });

  it('reaches the target order with exactly n − L moves, L the longest run already in order', () => {
    fc.assert(
      fc.property(anyColumn, (current) => void checkPlan(current)),
      { numRuns: 150 },
    );
  });

  it('anchors each move on its final neighbour, which never moves afterwards', () => {
    fc.assert(
      fc.property(anyColumn, (current) => {
        const moves = planColumn(current);
        const final = iids(targetOrder(current)).map((iid) => 1000 + iid * 7);
        moves.forEach((move, i) => {
          const anchor = move.moveBeforeId ?? move.moveAfterId!;
          expect(moves.slice(i + 1).some((later) => later.id === anchor)).toBe(false);
          const at = final.indexOf(move.id);
          expect(final[move.moveBeforeId !== undefined ? at - 1 : at + 1]).toBe(anchor);
          // Exactly one anchor per call keeps each request unambiguous.
          expect(move.moveBeforeId === undefined || move.moveAfterId === undefined).toBe(true);
        });
        // Each card moves at most once.
        expect(new Set(moves.map((m) => m.id)).size).toBe(moves.length);
      }),
      { numRuns: 100 },
    );
  });
});
