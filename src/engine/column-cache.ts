// Short-lived column listings, so the conflict rule does not re-read a column per card in a burst.
// A cache only: dropping it costs calls, never correctness. A card the bot reads or writes after
// a listing was taken is patched into it (added, removed, its date or title changed), so a burst
// of moves in one column costs one listing, not one per move. A patch never brings back an older
// copy: a card the listing had wins over a copy with an older updated_at, and a card it did not
// have is patched only from a read that began after the listing was complete.
// A new listing does not undo what the cache learnt meanwhile: a card it saw with a newer
// updated_at, or gained from a read that began after the listing did, stays as the cache has it
// (the sweep's listing is seeded only once every board is listed, while jobs run beside it).
// A listing taken in board order (a sweep's) also keeps that order, so the column's job can see
// that nothing needs moving without listing again; a card that comes into the column has no
// known place, and the order is then forgotten (the job lists the column itself). The column
// job's own moves are not patched in: once it lists the column itself, the order is forgotten.
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
  /** performance.now() when the read that gave each card in `seen` began. */
  readAt: Map<number, number>;
  /** performance.now() when the listing began (or was complete, when that is not known). */
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
   * every open card carrying the label): its peers, its copies and its order. `listedAt`:
   * performance.now() when the listing began.
   */
  setListed(
    key: string,
    issues: readonly (ColumnCard & { id: number })[],
    now: number,
    ttlMs = this.ttlMs,
    listedAt = performance.now(),
  ): void {
    const spelled = parseKey(key);
    if (!spelled || spelled.kind !== 'column') return;
    const cards = issues.filter((i) => i.state === 'opened' && i.labels.includes(spelled.label));
    const peers = cards.map((i) => ({ iid: i.iid, title: i.title, dueDate: i.due_date }));
    // A card listed twice: the column moved while it was paged (offset pages), so a card may be
    // missing too. Its cards stand; its order is not the board's.
    const torn = new Set(cards.map((i) => i.iid)).size !== cards.length;
    const order = torn ? null : cards.map((i) => ({ id: i.id, iid: i.iid, dueDate: i.due_date }));
    this.put(key, spelled, peers, now, ttlMs, issues, listedAt, order);
  }

  /**
   * Caches a listing of the column `key` names. `cards`: the listing as GitLab answered it (every
   * open card carrying the label), so later patches can tell an older copy from a newer one.
   * `listedAt`: performance.now() when the listing began (default: now, as if it had just been taken).
   */
  set(
    key: string,
    peers: readonly ColumnPeer[],
    now: number,
    ttlMs = this.ttlMs,
    cards: readonly ColumnCard[] = [],
    listedAt = performance.now(),
  ): void {
    const spelled = parseKey(key);
    if (!spelled || spelled.kind !== 'column') return;
    this.put(key, spelled, peers, now, ttlMs, cards, listedAt, null);
  }

  /**
   * The column job listed the column afresh in board order (`listedAt`: performance.now() when
   * that listing began): its cards are patched in like any read, and the cached order is
   * forgotten. The moves the job plans from it change the board's order, and a person's reorder
   * changes no updated_at a patch could tell by, so only a sweep's listing brings an order back.
   */
  listedAfresh(key: string, issues: readonly ColumnCard[], listedAt: number): void {
    const spelled = parseKey(key);
    if (!spelled || spelled.kind !== 'column') return;
    for (const issue of issues) this.patch(spelled.project, issue, listedAt);
    const hit = this.entries.get(key);
    if (hit) hit.order = null;
  }

  private put(
    key: string,
    spelled: { project: string; label: string },
    peers: readonly ColumnPeer[],
    now: number,
    ttlMs: number,
    cards: readonly ColumnCard[],
    listedAt: number,
    order: Card[] | null,
  ): void {
    const seen = new Map<number, number>();
    const readAt = new Map<number, number>();
    for (const card of cards) {
      seen.set(card.iid, Date.parse(card.updated_at));
      readAt.set(card.iid, listedAt);
    }
    const entry: Entry = {
      project: spelled.project.toLowerCase(),
      label: spelled.label,
      peers: new Map(peers.map((p) => [p.iid, { ...p }])),
      sorted: null,
      seen,
      readAt,
      setAt: listedAt,
      until: now + ttlMs,
      order,
    };
    const old = this.entries.get(key);
    if (old) {
      // What the cache learnt that this listing is older than: a newer copy of a card it has, or
      // a card it does not have, from a read that began after the listing did.
      for (const [iid, at] of old.seen) {
        const listed = entry.seen.get(iid);
        const began = old.readAt.get(iid) ?? old.setAt;
        if (listed !== undefined ? !(at > listed) : began < listedAt) continue;
        entry.seen.set(iid, at);
        entry.readAt.set(iid, began);
        place(entry, iid, old.peers.get(iid) ?? null);
      }
      // A listing taken meanwhile does not shorten what the cache was told to keep.
      entry.until = Math.max(entry.until, old.until);
    }
    this.entries.set(key, entry);
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
      entry.readAt.set(card.iid, readAt);
      place(entry, card.iid, card.state === 'opened' && card.labels.includes(entry.label) ? peerOf(card) : null);
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

const peerOf = (card: ColumnCard): ColumnPeer => ({ iid: card.iid, title: card.title, dueDate: card.due_date });

/** Puts a card's copy into an entry: in the column as `peer`, or out of it (null). */
function place(entry: Entry, iid: number, peer: ColumnPeer | null): void {
  const had = entry.peers.get(iid);
  if (peer) {
    if (had && had.title === peer.title && had.dueDate === peer.dueDate) return;
    entry.peers.set(iid, { ...peer });
    entry.sorted = null;
    // A new date keeps the card's place; a card come in has none known.
    if (!had) entry.order = null;
    else if (entry.order) entry.order = entry.order.map((c) => (c.iid === iid ? { ...c, dueDate: peer.dueDate } : c));
  } else if (had) {
    entry.peers.delete(iid);
    entry.sorted = null;
    // Leaving keeps the others' order.
    if (entry.order) entry.order = entry.order.filter((c) => c.iid !== iid);
  }
}
