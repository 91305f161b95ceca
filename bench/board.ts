// Column-ordering benchmark: how long planning takes, and how many moves it plans against the
// least possible (n − L, L the longest run of cards already in date order).
// Run alone: npx tsx bench/board.ts

import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { applyMoves, planColumn, targetOrder, type Card } from '../src/board/plan.js';
// The same small PRNG the sandbox uses for faults: seeded, so every run measures the same columns.
import { seededRandom } from '../src/sandbox/seeded-random.js';

/** A column of n cards in random board order; dates over about a year, one card in ten undated. */
export function randomColumn(n: number, seed: number): Card[] {
  const random = seededRandom(seed);
  const cards: Card[] = [];
  for (let i = 0; i < n; i++) {
    const day = Math.floor(random() * 365);
    const date = new Date(Date.UTC(2025, 0, 1 + day)).toISOString().slice(0, 10);
    cards.push({ id: 90_000 + i * 11, iid: i + 1, dueDate: random() < 0.1 ? null : date });
  }
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [cards[i], cards[j]] = [cards[j]!, cards[i]!];
  }
  return cards;
}

/** L by the plain O(n²) DP, independent of the planner's patience sorting. */
function longestInOrder(current: Card[]): number {
  const rank = new Map(targetOrder(current).map((card, i) => [card.id, i]));
  const r = current.map((card) => rank.get(card.id)!);
  const best = r.map(() => 1);
  for (let i = 0; i < r.length; i++) {
    for (let j = 0; j < i; j++) if (r[j]! < r[i]! && best[j]! + 1 > best[i]!) best[i] = best[j]! + 1;
  }
  return Math.max(0, ...best);
}

/**
 * Moves planned for one random column against the lower bound n − L, checking the plan really
 * yields the target order. The pure half of the GitLab-calls-versus-lower-bound figure.
 */
export function movesAgainstLowerBound(n: number, seed: number): { cards: number; moves: number; lowerBound: number } {
  const column = randomColumn(n, seed);
  const moves = planColumn(column);
  const reached = applyMoves(column, moves).map((card) => card.iid);
  const wanted = targetOrder(column).map((card) => card.iid);
  if (reached.join() !== wanted.join()) throw new Error(`plan for ${n} cards (seed ${seed}) misses the target order`);
  return { cards: n, moves: moves.length, lowerBound: n - longestInOrder(column) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchBoard(): Promise<Record<string, number | string>> {
  const n = 10_000;
  const runs = 9;
  planColumn(randomColumn(n, 1)); // warm-up, so the JIT is not measured
  const times: number[] = [];
  let planned = 0;
  for (let run = 0; run < runs; run++) {
    const column = randomColumn(n, 100 + run);
    const start = performance.now();
    planned = planColumn(column).length;
    times.push(performance.now() - start);
  }
  const small = movesAgainstLowerBound(200, 7);
  const result: Record<string, number | string> = {
    'board.plan_10k_cards_median_ms': Number(median(times).toFixed(2)),
    'board.plan_10k_cards_max_ms': Number(Math.max(...times).toFixed(2)),
    'board.plan_10k_runs': runs,
    'board.plan_10k_moves_last_run': planned,
    'board.plan_target_ms': 100,
    'board.n200_moves_planned': small.moves,
    'board.n200_lower_bound': small.lowerBound,
    'board.n200_verdict': small.moves === small.lowerBound ? 'optimal (moves = n − L)' : 'ABOVE lower bound',
  };
  for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(32)} ${value}`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchBoard();
}
