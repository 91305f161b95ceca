// Plans the fewest reorder calls that leave a column in due-date order. Pure: no I/O.
//
// Cards already in the right relative order (a longest increasing run of target ranks) stay put;
// every other card moves once, so a column of n cards with such a run of length L costs n − L
// calls, which is the least possible: each call changes the place of one card only.

export interface Card {
  id: number;
  iid: number;
  dueDate: string | null;
}

/**
 * One reorder call, in GitLab's meaning (gitlab-facts §3): `moveBeforeId` is the card that ends up
 * directly above this one, `moveAfterId` the card that ends up directly below it. Ids are global.
 */
export interface Move {
  iid: number;
  id: number;
  moveBeforeId?: number;
  moveAfterId?: number;
}

function compareCards(a: Card, b: Card): number {
  if (a.dueDate !== b.dueDate) {
    if (a.dueDate === null) return 1;
    if (b.dueDate === null) return -1;
    // YYYY-MM-DD sorts as text.
    return a.dueDate < b.dueDate ? -1 : 1;
  }
  return a.iid - b.iid;
}

/** The column as it should read: earliest due date first, cards without one last, ties by iid. */
export function targetOrder(cards: Card[]): Card[] {
  return [...cards].sort(compareCards);
}

/** Indexes into `ranks` of one longest strictly increasing subsequence (patience sorting). */
function longestIncreasingRun(ranks: number[]): number[] {
  // tails[k] = index of the smallest rank ending an increasing run of length k + 1.
  const tails: number[] = [];
  const previous = new Array<number>(ranks.length).fill(-1);
  for (let i = 0; i < ranks.length; i++) {
    const rank = ranks[i]!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ranks[tails[mid]!]! < rank) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const run: number[] = [];
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i !== -1; i = previous[i]!) run.push(i);
  return run.reverse();
}

function assertDistinct(cards: Card[]): void {
  const ids = new Set<number>();
  const iids = new Set<number>();
  for (const card of cards) {
    if (ids.has(card.id) || iids.has(card.iid)) {
      throw new Error(`column lists card #${card.iid} (id ${card.id}) twice`);
    }
    ids.add(card.id);
    iids.add(card.iid);
  }
}

/**
 * The reorder calls that turn `current` (the column in board order) into `targetOrder(current)`.
 *
 * Every anchor is a card that never moves afterwards and that is the moved card's neighbour in the
 * final column, so each call is right the moment it is made, and a run cut short halfway leaves
 * the cards it did move in their final places.
 */
export function planColumn(current: Card[]): Move[] {
  assertDistinct(current);
  const target = targetOrder(current);
  const rankOf = new Map<number, number>();
  target.forEach((card, rank) => rankOf.set(card.id, rank));
  const ranks = current.map((card) => rankOf.get(card.id)!);

  const stays = new Array<boolean>(target.length).fill(false);
  for (const index of longestIncreasingRun(ranks)) stays[ranks[index]!] = true;

  const moves: Move[] = [];
  // Cards that belong above the first card that stays have nothing above them to hang on: place
  // them bottom-up, each directly above the card that will follow it.
  const firstStaying = stays.indexOf(true);
  for (let rank = firstStaying - 1; rank >= 0; rank--) {
    const card = target[rank]!;
    moves.push({ iid: card.iid, id: card.id, moveAfterId: target[rank + 1]!.id });
  }
  // Every other card goes directly below the card that precedes it, top-down, so that card has
  // already stayed or been placed.
  for (let rank = firstStaying + 1; rank < target.length; rank++) {
    if (stays[rank]) continue;
    const card = target[rank]!;
    moves.push({ iid: card.iid, id: card.id, moveBeforeId: target[rank - 1]!.id });
  }
  return moves;
}

/**
 * Applies moves to a column the way GitLab does, for tests and bookkeeping. Throws on a move
 * GitLab could not make as meant: unknown card or anchor, a card anchored to itself, or both
 * anchors given but not neighbours.
 */
export function applyMoves(current: Card[], moves: Move[]): Card[] {
  const column = [...current];
  const find = (id: number, what: string): number => {
    const at = column.findIndex((card) => card.id === id);
    if (at === -1) throw new Error(`${what} id ${id} is not in the column`);
    return at;
  };
  for (const move of moves) {
    const from = find(move.id, 'moved card');
    const [card] = column.splice(from, 1);
    if (card!.iid !== move.iid) throw new Error(`move names iid ${move.iid} but id ${move.id} is #${card!.iid}`);
    if (move.moveBeforeId === undefined && move.moveAfterId === undefined) {
      throw new Error(`move of #${move.iid} has no anchor`);
    }
    if (move.moveBeforeId === move.id || move.moveAfterId === move.id) {
      throw new Error(`move of #${move.iid} is anchored to itself`);
    }
    let to: number;
    if (move.moveBeforeId !== undefined && move.moveAfterId !== undefined) {
      // GitLab sorts the two anchors by position and slots the card between them.
      const a = find(move.moveBeforeId, 'before');
      const b = find(move.moveAfterId, 'after');
      if (Math.abs(a - b) !== 1) throw new Error(`anchors of #${move.iid} are not neighbours`);
      to = Math.max(a, b);
    } else if (move.moveBeforeId !== undefined) {
      to = find(move.moveBeforeId, 'before') + 1;
    } else {
      to = find(move.moveAfterId!, 'after');
    }
    column.splice(to, 0, card!);
  }
  return column;
}
