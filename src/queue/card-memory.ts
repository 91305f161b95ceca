// What the bot remembers of each card between two decisions, kept beside the queue in the same
// database (SQLite, PostgreSQL, or the process's own memory for the one-shot commands). It is a
// cache and nothing more: every write the bot makes is safe without it (the bot edits only its own
// notes, label changes are add/remove, the executor re-reads a card before a guarded label or
// assignee write), so dropping it — deleting its rows, or the whole table — only costs GitLab
// calls, never a different outcome. The queue does not read a row's record: the card handler owns
// its shape (handlers/card/memory.ts); the store keeps it with the few columns the sweep compares.
//
// Per board, the store also keeps the mark of the last complete sweep: when it listed the board,
// how many cards it remembered then, and how many it has forgotten since. A sweep lists only what
// changed after the mark; memory that lost rows (fewer than the mark counted, less those forgotten)
// makes the next sweep a full one, so a row deleted by hand is re-read rather than missed.

/** One card's memory: the columns the sweep compares, and the handler's own record (JSON). */
export interface CardMemoryRow {
  /** The work key, e.g. issue:group/project#12. */
  key: string;
  /** The board's project as configured (the sweep asks per board). */
  project: string;
  /** GitLab's updated_at of the card the last decision was made on (REST's ISO form). */
  updatedAt: string;
  /** The card's fields as a short hash (see handlers/card/memory.ts): what must match for "unchanged". */
  fingerprint: string;
  /**
   * The bot wrote to the card after reading `updatedAt` (a note: GitLab moved updated_at, by the
   * bot's own hand, to a value the bot did not see). A later copy with the same fingerprint is
   * the card as the bot left it.
   */
  selfWritten: boolean;
  /** When time alone may change the decision (a date reached), epoch ms; null: never. */
  recheckAt: number | null;
  record: string;
}

/** The last complete sweep of one board. */
export interface SweepMark {
  project: string;
  /** When its listing was taken (epoch ms, the bot's clock). */
  sweptAt: number;
  /** When the last full sweep (every card re-read) was taken, epoch ms; null: never. */
  fullAt: number | null;
  /** Cards remembered for the project when the mark was set. */
  cards: number;
  /** Rows forgotten since (closed, moved, deleted cards). */
  forgotten: number;
}

export interface CardMemory {
  /** The card's memory; null when there is none (or it was invalidated by dirty()). */
  get(key: string): Promise<CardMemoryRow | null>;
  /** Several at once (the sweep's listing); rows that are absent or dirty are left out. */
  getMany(keys: readonly string[]): Promise<Map<string, CardMemoryRow>>;
  /** Remembers a card (replacing what was there, dirty or not). */
  put(row: CardMemoryRow): Promise<void>;
  /**
   * Called before the bot writes to the card: until the next put(), get() answers null. A crash
   * between the writes and the put then leaves no copy older than GitLab's to decide from.
   */
  dirty(key: string): Promise<void>;
  /** The writes are done and the row as it was still holds: it reads again (the undo of dirty()). */
  clean(key: string): Promise<void>;
  /**
   * The card as the bot left it, seen again with GitLab's updated_at `to`: remembered with it
   * (and no longer self-written) when the row is still the one with updatedAt `from` and
   * `fingerprint`. False when the row changed meanwhile (another job remembered it).
   */
  adopt(key: string, from: string, fingerprint: string, to: string): Promise<boolean>;
  /** Forgets a card (closed, moved, deleted): counted into its board's mark. */
  forget(key: string): Promise<void>;
  /** Keys of `project` whose recheckAt has come (clean rows only). */
  due(project: string, now: number): Promise<string[]>;
  /** Every remembered key of `project` (dirty ones included). */
  keys(project: string): Promise<string[]>;
  /** How many rows `project` has (dirty ones included). */
  count(project: string): Promise<number>;
  mark(project: string): Promise<SweepMark | null>;
  /** Records a complete sweep of `project` listed at `sweptAt` (full: every card re-read). */
  setMark(project: string, sweptAt: number, full: boolean): Promise<void>;
  /** Drops every row and mark (what deleting the cache by hand does). */
  clear(): Promise<void>;
}

/** The project part of an issue key (issue:<project>#<iid>), for rows written by key alone. */
export function projectOfKey(key: string): string {
  const match = /^issue:(.+)#\d+$/.exec(key);
  return match ? match[1]! : '';
}

/** Keeps the memory in Maps: the in-process store's, and the one-shot commands' when they have no database. */
export class MapCardMemory implements CardMemory {
  private readonly rows = new Map<string, CardMemoryRow & { dirty: boolean }>();
  private readonly marks = new Map<string, SweepMark>();

  async get(key: string): Promise<CardMemoryRow | null> {
    const row = this.rows.get(key);
    return row && !row.dirty ? strip(row) : null;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, CardMemoryRow>> {
    const found = new Map<string, CardMemoryRow>();
    for (const key of keys) {
      const row = this.rows.get(key);
      if (row && !row.dirty) found.set(key, strip(row));
    }
    return found;
  }

  async put(row: CardMemoryRow): Promise<void> {
    this.rows.set(row.key, { ...row, dirty: false });
  }

  async dirty(key: string): Promise<void> {
    const row = this.rows.get(key);
    if (row) row.dirty = true;
  }

  async clean(key: string): Promise<void> {
    const row = this.rows.get(key);
    if (row) row.dirty = false;
  }

  async adopt(key: string, from: string, fingerprint: string, to: string): Promise<boolean> {
    const row = this.rows.get(key);
    if (!row || row.dirty || row.updatedAt !== from || row.fingerprint !== fingerprint) return false;
    row.updatedAt = to;
    row.selfWritten = false;
    return true;
  }

  async forget(key: string): Promise<void> {
    const row = this.rows.get(key);
    if (!row) return;
    this.rows.delete(key);
    const mark = this.marks.get(row.project);
    if (mark) mark.forgotten += 1;
  }

  async due(project: string, now: number): Promise<string[]> {
    return [...this.rows.values()]
      .filter((r) => r.project === project && !r.dirty && r.recheckAt !== null && r.recheckAt <= now)
      .map((r) => r.key)
      .sort();
  }

  async keys(project: string): Promise<string[]> {
    return [...this.rows.values()]
      .filter((r) => r.project === project)
      .map((r) => r.key)
      .sort();
  }

  async count(project: string): Promise<number> {
    let n = 0;
    for (const row of this.rows.values()) if (row.project === project) n += 1;
    return n;
  }

  async mark(project: string): Promise<SweepMark | null> {
    const mark = this.marks.get(project);
    return mark ? { ...mark } : null;
  }

  async setMark(project: string, sweptAt: number, full: boolean): Promise<void> {
    const before = this.marks.get(project);
    this.marks.set(project, {
      project,
      sweptAt,
      fullAt: full ? sweptAt : (before?.fullAt ?? null),
      cards: await this.count(project),
      forgotten: 0,
    });
  }

  async clear(): Promise<void> {
    this.rows.clear();
    this.marks.clear();
  }
}

function strip(row: CardMemoryRow & { dirty: boolean }): CardMemoryRow {
  const { dirty: _dirty, ...rest } = row;
  return { ...rest };
}
