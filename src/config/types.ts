// The shape of a loaded rhythm.yml, derived from the schema (schema-source.ts) so the two cannot
// drift: a key added, renamed or constrained there changes these types. json-schema-to-ts makes a
// property with a `default` required, which is what ajv's useDefaults gives the loader; the loader
// then adds what the schema cannot say (see finish in load.ts): where the file was read from, and
// each session's time zone (the team's when the session leaves it out). Template paths are still
// strings, resolved to absolute paths.
import type { FromSchema } from 'json-schema-to-ts';
import type { configSchema } from './schema-source.js';

/** What ajv lets through, with every default filled in. */
export type ValidatedConfig = FromSchema<typeof configSchema>;

type ValidatedSignups = NonNullable<ValidatedConfig['signups']>;
export type ValidatedCalendar = ValidatedSignups['webinars'] | ValidatedSignups['labs'];

/** The loader fills in a session's timezone, so every loaded session has one. */
export type Zoned<Session extends { timezone?: string }> = Omit<Session, 'timezone'> & { timezone: string };
export type LoadedCalendar<Calendar extends ValidatedCalendar> = Omit<Calendar, 'sessions'> & {
  sessions: Array<Zoned<Calendar['sessions'][number]>>;
};

export type WebinarCalendar = LoadedCalendar<ValidatedSignups['webinars']>;
export type LabCalendar = LoadedCalendar<ValidatedSignups['labs']>;

export type SignupsConfig = Omit<ValidatedSignups, 'webinars' | 'labs'> & {
  webinars: WebinarCalendar;
  labs: LabCalendar;
};

export type RhythmConfig = Omit<ValidatedConfig, 'signups'> & {
  /** Where the file was read from (for messages). */
  source: string;
  signups?: SignupsConfig;
};

export type BoardConfig = RhythmConfig['boards'][number];
export type SkillsExchangeBoard = Extract<BoardConfig, { kind: 'skills-exchange' }>;
export type SignupsBoard = Extract<BoardConfig, { kind: 'signups' }>;
export type DashboardSettings = NonNullable<BoardConfig['dashboard']>;
export type ChatSettings = NonNullable<BoardConfig['chat']>;
export type BoardRules = SkillsExchangeBoard['rules'];
export type RuleSetting = BoardRules['moderator'];
export type TemplateRuleSetting = BoardRules['template'];
export type RuleMode = RuleSetting['mode'];

/**
 * A calendar as the code that handles both kinds reads it. A lab's session is a webinar's plus
 * accessDays, so the lab calendar's shape holds either; the checks at the end keep that true.
 */
export type SignupCalendar = LabCalendar;
export type SessionSeries = SignupCalendar['sessions'][number];

type Holds<Wide, Narrow extends Wide> = Narrow;
type WebinarSession = WebinarCalendar['sessions'][number];
// These fail to compile when a webinar calendar or session gains a key the lab's does not have,
// or one of another type: code reading a SignupCalendar would not see it, or would misread it.
// (Named with a leading _: nothing uses them; compiling them is the check.)
type _WebinarsFit = Holds<SignupCalendar, WebinarCalendar>;
type _NoWebinarOnlyKeys = Holds<never, Exclude<keyof WebinarCalendar, keyof SignupCalendar>>;
type _NoWebinarSessionOnlyKeys = Holds<never, Exclude<keyof WebinarSession, keyof SessionSeries>>;
