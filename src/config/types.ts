// The shape of a loaded, validated, interpolated rhythm.yml. schemas/config.schema.json is the
// authority for what a file may say; this type is what the rest of Rhythm reads after loading
// (defaults applied, so optional-in-the-file fields are present here where noted).

export type RuleMode = 'comment' | 'fix' | 'revert';

export interface RuleSetting {
  enabled: boolean; // default true
  mode: RuleMode; // default 'comment'
}

export interface TemplateRuleSetting extends RuleSetting {
  /** Markdown headings (text only, no '#') that must be present and filled in. */
  required: string[];
  /** Headings that may be present; listed so the note can mention them. */
  optional: string[];
  /** Label added while required sections are missing, removed when fixed (optional). */
  needsInfoLabel?: string;
}

export interface BoardRules {
  moderator: RuleSetting;
  assignees: RuleSetting;
  dueDate: RuleSetting;
  transition: RuleSetting;
  template: TemplateRuleSetting;
  conflict: RuleSetting;
}

export interface SkillsExchangeBoard {
  kind: 'skills-exchange';
  /** Short name used in logs and markers, e.g. "skills-exchange". */
  name: string;
  /** Project path, e.g. gitlab-com/sales-team/cs-skills-exchange. */
  project: string;
  dryRun: boolean; // default false
  labels: { plan: string; scheduled: string }; // defaults status:plan, status:scheduled
  rules: BoardRules;
  order: { enabled: boolean; debounceMs: number }; // defaults true, 2000
  reminders: {
    /** Days before the due date to remind speaker and moderator (0 = off). Default 2. */
    beforeDays: number;
    /** Remind after the date until a recording link is in the issue. Default true. */
    afterUntilRecording: boolean;
  };
  /** Where "why" links in the bot's note point (the team's handbook page). Required in the file. */
  handbookUrl: string;
}

export interface SignupsBoard {
  kind: 'signups';
  name: string;
  project: string;
  dryRun: boolean;
}

export type BoardConfig = SkillsExchangeBoard | SignupsBoard;

/** One recurring or one-off session of a sign-up calendar. */
export interface SessionSeries {
  title: string;
  region: string; // e.g. AMER, EMEA, APAC
  timezone: string; // IANA zone of the session's local time; the loader fills in the team's zone when left out
  /** RFC 5545 RRULE body without DTSTART, e.g. "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2". */
  rrule?: string;
  /** Local time HH:MM for rrule occurrences. */
  time?: string;
  /** One-off local date-times "YYYY-MM-DDTHH:MM" in `timezone`. */
  dates: string[];
  /** Local dates "YYYY-MM-DD" on which the rule's occurrence is skipped. */
  skip: string[];
  durationMinutes: number;
  registrationUrl?: string;
  /** Labs only: days attendees keep access (2 or 4). */
  accessDays?: 2 | 4;
}

export interface SignupCalendar {
  enabled: boolean;
  title: string; // Handlebars for the issue title, e.g. "Webinar DRI sign-up: {{monthName}}"
  labels: string[]; // default ["cse-events::sign-up"]
  // A calendar left out of the file loads as enabled: false with no sessions.
  /**
   * Override template, as an absolute path once loaded (the file gives it relative to itself and
   * the loader checks it exists). Absent: the shipped templates/<kind>-signup.md.hbs.
   */
  template?: string;
  sessions: SessionSeries[];
}

export interface SignupsConfig {
  /** Project path the sign-up issues are opened in. */
  project: string;
  webinars: SignupCalendar;
  labs: SignupCalendar;
  reminders: {
    noDriDaysBefore: number; // default 10
    labEnvironmentDaysBefore: number; // default 7
    webinarMp4BusinessDaysBefore: number; // default 2
  };
  /** Optional holiday calendar country code for business days (e.g. "US"); weekends always skipped. */
  holidays?: string;
}

export interface RhythmConfig {
  /** Where the file was read from (for messages). */
  source: string;
  gitlab: {
    url: string; // GITLAB_URL overrides
    token: string; // must come from ${ENV}; never written literally
    botUsername: string; // default rhythm-bot
  };
  timezone: string; // the team's IANA zone; calendar dates are judged in it. Default UTC
  dryRun: boolean; // default false
  sweep: { intervalMinutes: number }; // 0 = no timer in `serve`. Default 60
  boards: BoardConfig[]; // default []; at most one of kind signups, and only with a signups block
  signups?: SignupsConfig;
}
