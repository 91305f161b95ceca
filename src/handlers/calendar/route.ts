// GET /calendar/<board id>.ics on `rhythm serve`: the board's feed, read-only. A plain node:http
// handler in front of the service's own, so the receiver stays as it is. A board with a token
// answers 404 without it, as for a board that does not exist: a private feed is not revealed.
// The token is in the query string; it is never logged (only the board id is).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FeedCache, tokenAllows, type FeedDeps } from './feed.js';

type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** How long a request waits for a feed being built before it is told to come back. */
const ANSWER_MS = 15_000;

const FEED_PATH = /^\/calendar\/([a-z0-9][a-z0-9-]*)\.ics$/;

function answer(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function withCalendarFeeds(deps: FeedDeps, next: HttpHandler, cache = new FeedCache(deps)): HttpHandler {
  return (req, res) => {
    // The raw target first: only a feed's path is parsed here, and a target URL cannot parse
    // (`//`) is answered, never thrown — a throw in this listener would end the whole process.
    const target = req.url ?? '/';
    if (!target.startsWith('/calendar/')) return next(req, res);
    let url: URL;
    try {
      url = new URL(target, 'http://rhythm.invalid');
    } catch {
      return answer(res, 400, 'bad request\n');
    }
    const match = FEED_PATH.exec(url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    const board = match ? cache.board(match[1]!) : undefined;
    if (!board || !tokenAllows(board, url.searchParams.get('token'))) return answer(res, 404, 'no such calendar\n');
    const id = match![1]!;
    // A calendar client gives up after some seconds; GitLab asking Rhythm to wait (Retry-After)
    // must not hold the request that long. The build goes on and fills the cache for the next one.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`GitLab did not answer within ${ANSWER_MS / 1000} s`)), ANSWER_MS);
    });
    Promise.race([cache.get(board), late])
      .finally(() => clearTimeout(timer))
      .then(
        (feed) => {
          const headers = {
            'content-type': 'text/calendar; charset=utf-8',
            'cache-control': `private, max-age=${board.calendar.cacheSeconds}`,
            etag: feed.etag,
          };
          if (req.headers['if-none-match'] === feed.etag) {
            res.writeHead(304, headers);
            res.end();
            return;
          }
          res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(feed.ics)) });
          res.end(req.method === 'HEAD' ? undefined : feed.ics);
          deps.log.debug({ board: id, events: feed.events }, 'calendar feed served');
        },
        (err: unknown) => {
          deps.log.warn({ board: id, err: (err as Error).message }, 'calendar feed could not be built');
          answer(res, 503, 'the calendar could not be read from GitLab just now; try again in a minute\n', { 'retry-after': '60' });
        },
      );
  };
}
