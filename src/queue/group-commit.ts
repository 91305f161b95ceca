// Group commit: writes that arrive in the same tick are committed together, and each caller's
// promise settles only after that one commit. One fsync then serves a whole burst of webhooks
// instead of one each, which is what lets a durable receiver keep up with plain HTTP.

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items and hands them to `commit` in batches. `commit` returns one result per item, in
 * order. At most `maxInFlight` batches are committing at a time; items that arrive meanwhile form
 * the next batch, so batches grow by themselves when the store is the bottleneck. With more than
 * one, the next batches already wait at a committer that runs them in the order given (the SQLite
 * writer thread, which also joins all those waiting into one commit) while one is on its way to
 * disk: it never idles while this thread answers the last batch's requests and reads the next ones.
 */
export class GroupCommit<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private scheduled = false;
  private readonly committing = new Set<Promise<void>>();

  constructor(
    private readonly commit: (items: T[]) => Promise<R[]> | R[],
    private readonly maxBatch = 1000,
    private readonly maxInFlight = 1,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything added so far is committed (or has failed). */
  async drain(): Promise<void> {
    while (this.waiting.length > 0 || this.committing.size > 0 || this.scheduled) {
      if (this.committing.size > 0) await Promise.all(this.committing);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.committing.size >= this.maxInFlight) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase, so every request parsed in this loop turn joins.
    setImmediate(() => {
      this.scheduled = false;
      if (this.waiting.length === 0 || this.committing.size >= this.maxInFlight) return;
      const batch = this.run();
      this.committing.add(batch);
      void batch.finally(() => {
        this.committing.delete(batch);
        if (this.waiting.length > 0) this.schedule();
      });
      // A burst over maxBatch, or room for another batch in flight.
      if (this.waiting.length > 0) this.schedule();
    });
  }

  private async run(): Promise<void> {
    const batch = this.waiting.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    try {
      const results = await this.commit(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
