// Short-lived column listings, so the conflict rule does not re-read a column per card in a burst.
// A cache only: dropping it costs calls, never correctness. A card the bot reads or writes after
// a listing was taken is patched into it (added, removed, its date or title changed), so a burst
// of moves in one column costs one listing, not one per move. A patch never brings back an older
// copy: a card the listing had wins over a copy with an older updated_at, and a card it did not
// have is patched only from a read that began after the listing was complete.
// A listing taken in board order (a sweep's) also keeps that order, so the column's job can see
// that nothing needs moving without listing again; a card that comes into the column has no
// known place, and the order is then forgotten (the job lists the column itself).
import { performance } from 'node:perf_hooks';
import type { Card } from '../board/plan.js';
import type { ColumnPeer } from '../rules/types.js';
import { parseKey } from './keys.js';

/** A card as GitLab answered it (a GET, a listing, an edit's answer): what a patch needs of it. */
export interface ColumnCard {
  iid: number;
  title: string;
  due_date: string | null;
  labels: readonly string[];
  state: string;
  updated_at: string;
}

interface Entry {
  project: string;
  label: string;
  peers: Map<number, ColumnPeer>;
  /** The peers by iid, as get() answers them; null after a patch changed them (sorted again then). */
  sorted: ColumnPeer[] | null;
  /** updated_at (epoch ms) of each card as the cache last took it. */
  seen: Map<number, number>;
  /** performance.now() when the listing was complete. */
  setAt: number;
  until: number;
  /** The cards in board order (relative_position), when listed so and no card came in since. */
  order: Card[] | null;
}

export class ColumnCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly ttlMs = 30_000) {}

  /** The column's open cards, by iid; undefined when not cached or expired (`now`: the rules' clock). */
  get(key: string, now: number): ColumnPeer[] | undefined {
    const hit = this.entries.get(key);
    if (!hit || hit.until <= now) return undefined;
    hit.sorted ??= [...hit.peers.values()].sort((a, b) => a.iid - b.iid);
    return hit.sorted;
  }

  /** The column in board order, as listed and patched since; undefined when not known (see set). */
  ordered(key: string, now: number): Card[] | undefined {
    const hit = this.entries.get(key);
    if (!hit || hit.until <= now || !hit.order) return undefined;
    return hit.order.map((c) => ({ ...c }));
  }

  /**
   * Caches a listing of the column taken in board order (`order_by=relative_position&sort=asc`,
   * every open card carrying the label): its peers, its copies and its order.
   */
  setListed(key: string, issues: readonly (ColumnCard & { id: number })[], now: number, ttlMs = this.ttlMs): void {
    const spelled = parseKey(key);
    if (!spelled || spelled.kind !== 'column') return;
    const cards = issues.filter((i) => i.state === 'opened' && i.labels.includes(spelled.label));
    const peers = cards.map((i) => ({ iid: i.iid, title: i.title, dueDate: i.due_date }));
    this.set(key, peers, now, ttlMs, issues);
    this.entries.get(key)!.order = cards.map((i) => ({ id: i.id, iid: i.iid, dueDate: i.due_date }));
  }

  /**
   * Caches a listing of the column `key` names. `cards`: the listing as GitLab answered it (every
   * open card carrying the label), so later patches can tell an older copy from a newer one.
   */
  set(key: string, peers: readonly ColumnPeer[], now: number, ttlMs = this.ttlMs, cards: readonly ColumnCard[] = []): void {
    const spelled = parseKey(key);
    if (!spelled || spelled.kind !== 'column') return;
    const seen = new Map<number, number>();
    for (const card of cards) seen.set(card.iid, Date.parse(card.updated_at));
    this.entries.set(key, {
      project: spelled.project.toLowerCase(),
      label: spelled.label,
      peers: new Map(peers.map((p) => [p.iid, { ...p }])),
      sorted: null,
      seen,
      setAt: performance.now(),
      until: now + ttlMs,
      order: null,
    });
  }

  /**
   * A card of `project` as just read or written (`readAt`: performance.now() when that read or
   * write began): every cached column of the project gets it added, moved or removed.
   */
  patch(project: string, card: ColumnCard, readAt: number): void {
    const lower = project.toLowerCase();
    const at = Date.parse(card.updated_at);
    for (const entry of this.entries.values()) {
      if (entry.project !== lower) continue;
      const known = entry.seen.get(card.iid);
      // Older than the copy the cache has, or not known to be newer than the listing: left alone.
      if (known !== undefined ? !(at > known) : readAt < entry.setAt) continue;
      entry.seen.set(card.iid, at);
      const had = entry.peers.get(card.iid);
      if (card.state === 'opened' && card.labels.includes(entry.label)) {
        if (had && had.title === card.title && had.dueDate === card.due_date) continue;
        entry.peers.set(card.iid, { iid: card.iid, title: card.title, dueDate: card.due_date });
        entry.sorted = null;
        // A new date keeps the card's place; a card come in has none known.
        if (!had) entry.order = null;
        else if (entry.order) entry.order = entry.order.map((c) => (c.iid === card.iid ? { ...c, dueDate: card.due_date } : c));
      } else if (had) {
        entry.peers.delete(card.iid);
        entry.sorted = null;
        // Leaving keeps the others' order.
        if (entry.order) entry.order = entry.order.filter((c) => c.iid !== card.iid);
      }
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
