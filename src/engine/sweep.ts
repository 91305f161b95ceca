// The sweep: GitLab never redelivers a webhook it failed to deliver (or dropped while the hook was
// auto-disabled), so the cards of every board are reconciled again on a timer and from the
// scheduled pipeline. It names the keys; `rhythm sweep` runs them here and now, `rhythm serve`
// puts them on the queue so they are serialized with webhook work.
//
// With the card memory (queue/card-memory.ts) a sweep is incremental: per board it lists the
// scheduled column in board order (the order job and the date-clash rule read it anyway: one
// listing serves them and the sweep) and, of the other cards, only those updated since its last
// complete sweep (less a safety overlap for clocks and slow commits), open or closed. It names only
// the cards that differ from what the bot remembers, plus the cards whose date has come (a reminder
// window, a day passed), plus those it remembers in the column that neither listing has (closed
// with the label on, moved, deleted). So the sweep after the bot wrote to every card of the
// column (its notes move updated_at) pages through the column once, not twice. The listings carry
// everything a card's decision reads of the issue, so those cards need no GET (ListedIssues). A board
// is listed in full — every open card named — when there is no mark yet, when the memory lost
// rows since the mark, when asked (`rhythm sweep --full`), and every sweep.fullEveryHours: then
// every card is re-read whatever the memory says, and cards remembered but no longer open
// (closed, moved or deleted) are named so their jobs notice it and the memory forgets them.
// Known gap, kept for the call count: a card the memory has outside the column that was moved into
// it and closed between two sweeps is in neither listing (the column lists open cards, the change
// listing leaves the column's label out; a third listing would cost a call every sweep). A closed
// card needs no write, only forgetting: the next full sweep (sweep.fullEveryHours) names it.
// The column is paged by offset in board order: a card moved across a page boundary meanwhile is
// listed twice and another not at all. The one left out is named if the memory had it in the
// column (below); the column cache keeps no board order from such a listing (column-cache.ts).
import { performance } from 'node:perf_hooks';
import type { RhythmConfig, SkillsExchangeBoard } from '../config/types.js';
import type { GIssue, GitLabReader } from '../gitlab/types.js';
import type { CardMemory } from '../queue/card-memory.js';
import { cardFingerprint, readMemo } from '../handlers/card/memory.js';
import type { ColumnCache } from './column-cache.js';
import type { ListedIssues } from './handler.js';
import { chatKey, columnKey, dashboardKey, issueKey, resolveKey, SIGNUP_REMINDERS_KEY } from './keys.js';

export type SweepPart = 'issues' | 'order' | 'reminders' | 'dashboards' | 'chat';
export const SWEEP_PARTS: SweepPart[] = ['issues', 'order', 'reminders', 'dashboards', 'chat'];

/** Listed changes go back this far before the last mark: clocks differ, commits land late. */
export const SWEEP_OVERLAP_MS = 5 * 60_000;
/** How often a board is re-read in full, whatever the memory says (sweep.fullEveryHours); 0: never on its own. */
export const fullSweepEveryMs = (config: Pick<RhythmConfig, 'sweep'>): number => config.sweep.fullEveryHours * 3600_000;

export interface SweepOptions {
  parts?: SweepPart[];
  /** Re-read every card in full (`rhythm sweep --full`). */
  full?: boolean;
  /** The memory (none: every board listed in full, every open card named, as before memory). */
  memory?: CardMemory | null;
  /** The rules' clock: the cards whose date has come are due by it. */
  now?: Date;
  /**
   * When the listing is taken, epoch ms, as GitLab's timestamps count (default: the wall clock,
   * not the rules' clock, which tests and demos move): the next sweep lists what changed after it.
   */
  listedAt?: number;
}

/** What a board's part of the sweep did, for the log and the command's report. */
export interface BoardSweep {
  project: string;
  mode: 'full' | 'incremental';
  /** Why the board was listed in full. */
  why?: string;
  /** Issues the listing returned. */
  listed: number;
  /** Cards named for a job. */
  named: number;
  /** Named because their date has come. */
  due: number;
  /** Remembered, not open any more, named to be noticed. */
  gone: number;
  /** Seen as the bot's own writes left them, remembered as such (no job). */
  adopted: number;
}

export interface SweepPlan {
  keys: string[];
  /** The listed issues of the named cards, for their jobs (no GET needed). */
  listed: ListedIssues;
  /** Keys to re-read in full (their board's full sweep), whatever the memory says. */
  fullRead: Set<string>;
  /**
   * The scheduled column of each board, as the sweep listed it in board order: the cards' jobs
   * and the order job need not list it again (seedColumns).
   */
  columns: Map<string, GIssue[]>;
  /** performance.now() when each column's listing began: a job's read after it is not older (seedColumns). */
  columnsAt: Map<string, number>;
  boards: BoardSweep[];
  /** Records the sweep as complete: the next one lists what changed after its listing. */
  complete(): Promise<void>;
}

/** The keys only (every open card, no memory): what a sweep names without a store. */
export async function sweepKeys(door: GitLabReader, config: RhythmConfig, parts: SweepPart[] = SWEEP_PARTS): Promise<string[]> {
  return (await planSweep(door, config, { parts })).keys;
}

export async function planSweep(door: GitLabReader, config: RhythmConfig, opts: SweepOptions = {}): Promise<SweepPlan> {
  const parts = opts.parts ?? SWEEP_PARTS;
  const memory = opts.memory ?? null;
  const now = opts.now ?? new Date();
  const sweptAt = opts.listedAt ?? Date.now();
  const fullEveryMs = fullSweepEveryMs(config);
  const keys: string[] = [];
  const named = new Set<string>();
  const listed: ListedIssues = new Map();
  const fullRead = new Set<string>();
  const columns = new Map<string, GIssue[]>();
  const columnsAt = new Map<string, number>();
  const boards: BoardSweep[] = [];
  const marks: Array<{ project: string; full: boolean }> = [];
  const name = (key: string) => {
    if (named.has(key)) return false;
    named.add(key);
    keys.push(key);
    return true;
  };

  for (const board of config.boards) {
    if (board.kind !== 'skills-exchange') continue;
    if (parts.includes('issues')) {
      const { project } = board;
      const at = performance.now();
      const mark = memory ? await memory.mark(project) : null;
      const overdue = fullEveryMs > 0 && mark !== null && (mark.fullAt === null || sweptAt - mark.fullAt >= fullEveryMs);
      let why: string | undefined;
      if (!memory) why = 'no memory';
      else if (opts.full) why = 'asked (--full)';
      else if (!mark) why = 'no sweep mark yet';
      else if ((await memory.count(project)) + mark.forgotten < mark.cards) why = 'the memory lost cards since the last sweep';
      else if (overdue) why = 'the full sweep is due';
      const report: BoardSweep = { project, mode: why ? 'full' : 'incremental', listed: 0, named: 0, due: 0, gone: 0, adopted: 0 };
      if (why) report.why = why;
      // Re-read whatever the memory says: asked, or the slow timer. (A missing mark or lost rows
      // only need every card named; what the memory still has is as good as ever.)
      const reread = opts.full === true || why === 'the full sweep is due';

      // The scheduled column in board order, once per sweep: the date-clash rule's column and the
      // order job's (seedColumns), and in an incremental sweep the column's own changed cards.
      const label = board.labels.scheduled;
      const columnAt = performance.now();
      const column = withColumn(board)
        ? await door.listIssues(project, { labels: [label], state: 'opened', orderBy: 'relative_position', sort: 'asc' })
        : null;
      if (column) {
        columns.set(columnKey(project, label), column);
        columnsAt.set(columnKey(project, label), columnAt);
      }

      if (why) {
        const open = await door.listIssues(project, { state: 'opened', orderBy: 'created_at', sort: 'asc' });
        report.listed = open.length;
        for (const issue of open) {
          const key = issueKey(project, issue.iid);
          if (!name(key)) continue;
          listed.set(key, { issue, at, incremental: false });
          if (reread) fullRead.add(key);
          report.named += 1;
        }
        if (memory) {
          // Remembered but not open now: closed, moved away or deleted. Their jobs tell which.
          for (const key of await memory.keys(project)) {
            if (name(key)) {
              report.gone += 1;
              if (reread) fullRead.add(key);
            }
          }
        }
      } else {
        const since = new Date(mark!.sweptAt - SWEEP_OVERLAP_MS).toISOString();
        // In creation order, which an update made while the pages are read does not shift (in
        // order of updated_at, a card edited meanwhile would move a later page's card onto a read one).
        // The column's cards are in its listing already: only the others are listed by change, so
        // the sweep after the bot wrote to every card of the column pages through it once, not twice.
        const others = await door.listIssues(project, {
          state: 'all',
          updatedAfter: since,
          ...(column ? { notLabels: [label] } : {}),
          orderBy: 'created_at',
          sort: 'asc',
        });
        const changed = newestOf([...(column ?? []), ...others]);
        report.listed = changed.length;
        const rows = await memory!.getMany(changed.map((i) => issueKey(project, i.iid)));
        // Every key the memory has, a dirty row's too (getMany leaves those out).
        const known = new Set(await memory!.keys(project));
        const sinceMs = Date.parse(since);
        for (const issue of changed) {
          const key = issueKey(project, issue.iid);
          const row = rows.get(key);
          if (issue.state !== 'opened') {
            // Closed (or moved away, which closes it): only a card the bot remembers needs a word.
            if (row && name(key)) {
              listed.set(key, { issue, at, incremental: true });
              report.named += 1;
            }
            continue;
          }
          // A column card the memory never had counts as changed only when it is (as listed by
          // change); one whose row is dirty (a job stopped between its writes and its memory) is read.
          if (!row && !known.has(key) && Date.parse(issue.updated_at) < sinceMs) continue;
          if (row) {
            const fingerprint = cardFingerprint(issue);
            // A job since the listing already judged a newer copy.
            if (Date.parse(row.updatedAt) > Date.parse(issue.updated_at)) continue;
            if (row.fingerprint === fingerprint && row.updatedAt === issue.updated_at) continue;
            // The card as the bot's own writes left it: remembered with GitLab's updated_at.
            if (
              row.fingerprint === fingerprint &&
              row.selfWritten &&
              (await memory!.adopt(key, row.updatedAt, fingerprint, issue.updated_at))
            ) {
              report.adopted += 1;
              continue;
            }
          }
          if (!name(key)) continue;
          listed.set(key, { issue, at, incremental: true });
          report.named += 1;
        }
        // A card the memory last saw in the column that neither listing has: closed with its label,
        // moved away or deleted (the change listing leaves the column's label out). Its job tells which.
        if (column) {
          const seen = new Set(changed.map((i) => issueKey(project, i.iid)));
          const unseen = [...known].filter((key) => !seen.has(key) && !named.has(key));
          const remembered = await memory!.getMany(unseen);
          for (const key of unseen) {
            const row = remembered.get(key);
            // A dirty row: a job stopped between its writes and its memory; read the card again.
            // (A record that does not spell the label cannot hold it: no need to parse it.)
            if (row && !row.record.includes(JSON.stringify(label))) continue;
            const memo = row ? readMemo(row)?.memo : undefined;
            if (row && !(memo && memo.state === 'opened' && memo.labels.includes(label))) continue;
            if (name(key)) report.gone += 1;
          }
        }
      }
      // Whatever the listing said: the cards whose date has come.
      if (memory) {
        for (const key of await memory.due(project, now.getTime())) {
          if (name(key)) {
            report.due += 1;
            report.named += 1;
          }
        }
      }
      boards.push(report);
      marks.push({ project, full: why !== undefined });
    }
    if (parts.includes('order') && board.order.enabled) name(columnKey(board.project, board.labels.scheduled));
  }
  if (config.signups && parts.includes('reminders')) {
    const labels = [...new Set([...config.signups.webinars.labels, ...config.signups.labs.labels])];
    const seen = new Set<number>();
    for (const label of labels) {
      const open = await door.listIssues(config.signups.project, { state: 'opened', labels: [label] });
      for (const issue of open) {
        if (seen.has(issue.iid)) continue;
        seen.add(issue.iid);
        name(issueKey(config.signups.project, issue.iid));
      }
    }
    name(SIGNUP_REMINDERS_KEY);
  }
  // Each board's dashboard, after its cards: a date that came or a change GitLab never delivered shows.
  if (parts.includes('dashboards')) for (const board of config.boards) if (board.dashboard?.enabled) name(dashboardKey(board.name));
  // Each board's chat notices: a session coming close, the week's digest.
  if (parts.includes('chat')) for (const board of config.boards) if (board.chat?.webhookUrl) name(chatKey(board.name));
  // Program plans: each open plan is followed (its week's nudge falls due with the date alone).
  if (config.programs && parts.includes('reminders')) {
    // One listing for every plan: GitLab ANDs label filters, so a filter per plan costs a call each.
    const labels = new Set(config.programs.plans.map((p) => `program::${p.name}`));
    const open = await door.listIssues(config.programs.project, { state: 'opened' });
    for (const issue of open) if (issue.labels.some((l) => labels.has(l))) name(issueKey(config.programs.project, issue.iid));
  }
  return {
    keys,
    listed,
    fullRead,
    columns,
    columnsAt,
    boards,
    async complete() {
      if (!memory) return;
      for (const { project, full } of marks) await memory.setMark(project, sweptAt, full);
    },
  };
}

/** How long a sweep's listing of a column serves the cards' jobs in `rhythm serve` (as long as their own listings do). */
export const LISTED_COLUMN_KEEPS_MS = 10 * 60_000;

/**
 * How long `rhythm serve` keeps a sweep's listing of a column: until the next sweep lists it again
 * (and 10 min more, should that sweep be late). Every card a job reads or writes meanwhile is
 * patched in, so what it can miss is only a change whose webhook was lost, which that next sweep
 * finds anyway; the order job moves cards only from a fresh listing. Without a sweep timer, 10 min.
 * On a PostgreSQL store the jobs run on every replica, and only this process's reads patch its
 * cache: there it keeps 10 min, as the jobs' own listings do.
 */
export const servedColumnKeepsMs = (intervalMinutes: number, store: 'sqlite' | 'postgres' | 'memory'): number =>
  intervalMinutes > 0 && store !== 'postgres' ? intervalMinutes * 60_000 + LISTED_COLUMN_KEEPS_MS : LISTED_COLUMN_KEEPS_MS;

/**
 * How long a sweep's listing of a column serves the jobs of that sweep's own run (`rhythm sweep`).
 * Each card a job reads or writes is patched in (column-cache.ts), so it is as new as anything the
 * run knows, but a person's change to a card the run does not read is not: after a quarter of an
 * hour a long run lists the column again. (A first sweep of 10,000 cards ran in 2 min on the
 * sandbox.) The order job moves cards only from a fresh listing.
 */
export const SWEEP_RUN_COLUMN_KEEPS_MS = 15 * 60_000;

/**
 * Gives the jobs the columns the sweep listed (`now`: the rules' clock, which the cache counts in).
 * Jobs run while the sweep lists (in `rhythm serve`): what they read after a listing began is
 * kept over the listing's copy (column-cache.ts).
 */
export function seedColumns(
  plan: Pick<SweepPlan, 'columns'> & Partial<Pick<SweepPlan, 'columnsAt'>>,
  cache: ColumnCache,
  now: Date,
  keepsMs = LISTED_COLUMN_KEEPS_MS,
): void {
  for (const [key, issues] of plan.columns) cache.setListed(key, issues, now.getTime(), keepsMs, plan.columnsAt?.get(key));
}

/** The board lists its scheduled column once a sweep when a rule or the order reads it. */
const withColumn = (board: SkillsExchangeBoard): boolean => board.order.enabled || board.rules.conflict.enabled;

/** One copy per card, the newest by updated_at (a card may move between two listings). */
function newestOf(issues: readonly GIssue[]): GIssue[] {
  const by = new Map<number, GIssue>();
  for (const issue of issues) {
    const had = by.get(issue.iid);
    if (!had || Date.parse(issue.updated_at) > Date.parse(had.updated_at)) by.set(issue.iid, issue);
  }
  return [...by.values()];
}

/** The keys among `keys` that are cards of a configured board (dead jobs the sweep revives). */
export function cardKeys(keys: readonly string[], config: RhythmConfig): string[] {
  return keys.filter((key) => {
    const work = resolveKey(key, config);
    return !('skip' in work) && work.kind === 'card';
  });
}

export type { GIssue };
