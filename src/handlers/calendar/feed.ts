// Building a board's feed for a reader (the route of `rhythm serve`, `rhythm calendar`): the
// handler's load, then its events as iCalendar. A short cache in front, so a calendar client
// polling every minute, or many subscribers at once, costs GitLab one build per cacheSeconds.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { BoardConfig, RhythmConfig } from '../../config/types.js';
import { ColumnCache } from '../../engine/column-cache.js';
import type { GIssue, GitLabReader } from '../../gitlab/types.js';
import type { Logger } from '../../observability/log.js';
import { boardById, calendar, eventsOf, feedIcs } from './index.js';

export interface FeedDeps {
  config: RhythmConfig;
  configDir: string;
  gitlab: GitLabReader;
  log: Logger;
  now: () => Date;
}

export interface BuiltFeed {
  ics: string;
  events: number;
  etag: string;
}

export class FeedError extends Error {
  override name = 'FeedError';
}

export async function buildFeed(board: BoardConfig, deps: FeedDeps): Promise<BuiltFeed> {
  const loaded = await calendar.load({ kind: 'calendar', board: board.id ?? board.name }, [], {
    gitlab: deps.gitlab,
    config: deps.config,
    configDir: deps.configDir,
    now: deps.now(),
    log: deps.log,
    columns: new ColumnCache(),
    listings: new Map<string, Promise<GIssue[]>>(),
  });
  if ('skip' in loaded) throw new FeedError(loaded.skip);
  const ics = feedIcs(loaded.state);
  return { ics, events: eventsOf(loaded.state).length, etag: `"${createHash('sha256').update(ics).digest('base64url').slice(0, 27)}"` };
}

/**
 * Whether the request may read the board's feed: always when the board has no token; otherwise
 * only with that token, compared in constant time (digests of equal length, whatever was sent).
 */
export function tokenAllows(board: BoardConfig, given: string | null): boolean {
  const expected = board.calendar.token ?? '';
  if (expected === '') return true;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256')
    .update(given ?? '')
    .digest();
  return timingSafeEqual(a, b) && given !== null;
}

/** Feeds by board id, each kept cacheSeconds; requests meanwhile share one build. */
export class FeedCache {
  private readonly entries = new Map<string, { until: number; feed: Promise<BuiltFeed> }>();

  constructor(
    private readonly deps: FeedDeps,
    private readonly clock: () => number = Date.now,
  ) {}

  board(id: string): BoardConfig | undefined {
    const board = boardById(this.deps.config, id);
    return board?.calendar.enabled ? board : undefined;
  }

  get(board: BoardConfig): Promise<BuiltFeed> {
    const id = board.id ?? board.name;
    const now = this.clock();
    const entry = this.entries.get(id);
    if (entry && entry.until > now) return entry.feed;
    const feed = buildFeed(board, this.deps);
    const until = now + board.calendar.cacheSeconds * 1000;
    this.entries.set(id, { until, feed });
    // A failed build is not kept: the next request tries again.
    feed.catch(() => {
      if (this.entries.get(id)?.feed === feed) this.entries.delete(id);
    });
    return feed;
  }
}
