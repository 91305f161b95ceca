// Short-lived column listings, so the conflict rule does not re-read a column per card in a burst.
// A cache only: dropping it costs calls, never correctness.
import type { ColumnPeer } from '../rules/types.js';

export class ColumnCache {
  private readonly entries = new Map<string, { peers: ColumnPeer[]; until: number }>();
  constructor(private readonly ttlMs = 30_000) {}
  get(key: string, now: number): ColumnPeer[] | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > now ? hit.peers : undefined;
  }
  set(key: string, peers: ColumnPeer[], now: number, ttlMs = this.ttlMs): void {
    this.entries.set(key, { peers, until: now + ttlMs });
  }
  forget(key: string): void {
    this.entries.delete(key);
  }
}
