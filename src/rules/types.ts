// The contract every rule shares: a rule only decides. It gets a snapshot of one issue, the board's
// configuration and the moment to judge at, and returns findings. No I/O, no clock, no globals.
import type { RuleMode, SkillsExchangeBoard } from '../config/types.js';
import type { IssueSnapshot, StatusMove } from '../card/types.js';

export type { IssueSnapshot, LabelChange, StatusMove } from '../card/types.js';

/** A rule is named by its key in a board's `rules` (schemas/config.schema.json). */
export type RuleId = keyof SkillsExchangeBoard['rules'];

/** What the rest of the board looks like, for rules that compare issues (conflict). */
export interface ColumnPeer {
  iid: number;
  title: string;
  dueDate: string | null;
}

export interface RuleContext {
  board: SkillsExchangeBoard;
  /** The instant to judge at (the engine's clock, passed in). */
  now: Date;
  /** The team's IANA time zone: "today" is the calendar date here. */
  timezone: string;
  /** Users the engine looked up: username (lower-case) → exists. Absent = not looked up. */
  users: Record<string, { id: number; username: string } | null>;
  /** Other open issues in the scheduled column (excluding this one). */
  scheduledPeers: ColumnPeer[];
  /**
   * The last status move, when known: the webhook's changes.labels, or derived from the label
   * history in a sweep. `previous` and `current` are the full label sets around the move.
   */
  lastMove?: StatusMove;
  /** The bot's own username: lets the transition rule recognise its own revert. Optional. */
  botUsername?: string;
  /**
   * When the due date got the value it has now (ISO instant): GitLab's system note of the last
   * change, or the issue's creation. Tells a session that passed from a date typed into the past.
   */
  dueDateSetAt?: string;
  /**
   * GitLab keeps one assignee per issue in this project (GitLab Free): the moderator cannot be
   * assigned beside the speaker, so the moderator rule names them instead of asking for it.
   */
  singleAssignee?: boolean;
}

/** A safe change the engine may make, as data. Never a function. */
export type Fix = { kind: 'assign'; usernames: string[] } | { kind: 'labels'; add: string[]; remove: string[] };

export type Severity = 'problem' | 'warning';

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** What is wrong, one sentence, Markdown-safe (no user text unless quoted by comments/). */
  message: string;
  /** How a person fixes it, one sentence. */
  howToFix: string;
  /** Present when the rule's mode allows a safe fix or a revert. */
  fix?: Fix;
  /** How to undo the fix, shown in the note when the fix was applied. */
  undo?: string;
  /** What the fix does, past tense ("Assigned the moderator …"), shown when it was applied. */
  done?: string;
  /** The day the bot made the fix (YYYY-MM-DD, team's zone): set by the plan, kept in the note's record. */
  at?: string;
  /**
   * The user's own words that show the problem (e.g. the Moderator line), raw. Never set on a
   * confidential issue; comments/ quotes it safely before it reaches a note.
   */
  excerpt?: string;
}

/**
 * What a rule needs read beyond the issue and its notes. The card's loader reads the union of
 * what the enabled rules ask for, for this card, and nothing else.
 */
export interface RuleNeeds {
  /** Usernames to look up as GitLab users (RuleContext.users). */
  users?(issue: IssueSnapshot): string[];
  /** GitLab's label history, to find the last column move (RuleContext.lastMove). */
  labelHistory?(issue: IssueSnapshot, board: SkillsExchangeBoard): boolean;
  /** The other open cards of the scheduled column (RuleContext.scheduledPeers). */
  columnPeers?(issue: IssueSnapshot, board: SkillsExchangeBoard): boolean;
}

export interface Rule {
  id: RuleId;
  needs?: RuleNeeds;
  /** A short name people read in the note, e.g. "Moderator". */
  title: string;
  /** The handbook section that explains why, appended to board.handbookUrl, e.g. "#scheduling-trainings". */
  anchor: string;
  /** Whether this rule has anything to say about this issue at all. */
  appliesTo(issue: IssueSnapshot, ctx: RuleContext): boolean;
  check(issue: IssueSnapshot, ctx: RuleContext, mode: RuleMode): Finding[];
}
