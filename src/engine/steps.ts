// What a handler wants done, as data: every write to GitLab, and the follow-up work it wakes.
// Handlers return steps; only the executor (apply.ts) carries them out, so tests assert on steps
// without a server, and dry-run, write logging and counting live in one place.
import type { HookSpec, IssueEdit, NewIssue } from '../gitlab/types.js';

export type Step =
  | {
      kind: 'editIssue';
      project: string;
      iid: number;
      edit: IssueEdit;
      because: string[];
      /**
       * The labels the card had when it was judged. The executor reads the card just before the
       * write (unless `readAt` is fresh) and skips it if they changed (a person moved it
       * meanwhile): the card is judged again.
       */
      judgedLabels?: string[];
      /**
       * performance.now() when the card judged was read: a read this fresh serves as the
       * executor's own re-read before a label fix or an assignee add (apply.ts).
       */
      readAt?: number;
      /**
       * People to add as assignees. GitLab's REST API takes only the whole set, so the executor
       * adds them to the assignees of a fresh read (the job's own, or one just before the write):
       * no one a person just assigned is removed.
       */
      addAssignees?: number[];
      /**
       * The assignee ids the read at `readAt` had: while that read is fresh, the executor adds to
       * these without reading the card again.
       */
      judgedAssignees?: number[];
      /**
       * The description the edit was made from (a plan written into it): the executor reads the
       * issue just before the write and skips it if the description changed (a person edited it
       * meanwhile), so their words are never overwritten; the issue is judged again.
       */
      judgedDescription?: string;
    }
  | {
      kind: 'createNote';
      project: string;
      iid: number;
      marker: string;
      body: string;
      /**
       * A twin another process posted at the same time is found by the handler's next read (it
       * reads the notes when their count is not the one it expects), not by a read right after.
       */
      twinsFoundLater?: boolean;
    }
  | { kind: 'editNote'; project: string; iid: number; noteId: number; marker: string; body: string }
  /** Only ever a bot note that repeats another's marker (two racers both posted it): the newer goes. */
  | { kind: 'deleteNote'; project: string; iid: number; noteId: number; marker: string }
  | { kind: 'createIssue'; project: string; issue: NewIssue; what: string }
  | { kind: 'reorderIssue'; project: string; iid: number; to: { moveAfterId: number } | { moveBeforeId: number }; what: string }
  | { kind: 'addHook'; project: string; spec: HookSpec }
  | { kind: 'editHook'; project: string; hookId: number; spec: HookSpec }
  | { kind: 'deleteHook'; project: string; hookId: number; url: string }
  /**
   * Not a write: wake another key, after a delay (the column after a card moved). `forgetMemory`:
   * what the bot remembers of that key no longer holds (a clash came or went): it is read afresh.
   */
  | { kind: 'enqueue'; key: string; delayMs: number; forgetMemory?: boolean }
  /**
   * A chat notice of a board (src/chat/): posted to its webhook, then recorded as sent under
   * `notice`. `text` null: recorded only (what was already true when chat was turned on).
   */
  | { kind: 'chatNotice'; project: string; board: string; notice: string; text: string | null }
  /** Not a GitLab write: chat notices that can never be owed again leave the ledger. */
  | { kind: 'forgetChatNotices'; project: string; board: string; notices: string[] };

export type StepKind = Step['kind'];

/** Steps that write to GitLab (everything but follow-up work). */
export const isWrite = (step: Step): boolean => step.kind !== 'enqueue';
