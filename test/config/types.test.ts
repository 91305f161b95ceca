// The config types are derived from the schema; these checks run in `tsc` (npm run typecheck)
// and say what the rest of Rhythm can rely on: defaults present, unions kept, nothing `any`.
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BoardRules,
  ChatSettings,
  DashboardSettings,
  RhythmConfig,
  RuleMode,
  RuleSetting,
  SessionSeries,
  SignupCalendar,
  SignupsBoard,
  SignupsConfig,
  SkillsExchangeBoard,
  TemplateRuleSetting,
} from '../../src/config/types.js';

describe('the loaded config types', () => {
  it('have every defaulted key present, and the loader-filled ones too', () => {
    expectTypeOf<RhythmConfig['gitlab']>().toEqualTypeOf<{
      url: string;
      token: string;
      botUsername: string;
      createsPerMinute?: { notes: number; issues: number };
    }>();
    expectTypeOf<RhythmConfig['source']>().toEqualTypeOf<string>();
    expectTypeOf<RhythmConfig['timezone']>().toEqualTypeOf<string>();
    expectTypeOf<RhythmConfig['dryRun']>().toEqualTypeOf<boolean>();
    expectTypeOf<RhythmConfig['sweep']>().toEqualTypeOf<{ intervalMinutes: number; fullEveryHours: number }>();
    expectTypeOf<RhythmConfig['signups']>().toEqualTypeOf<SignupsConfig | undefined>();
    expectTypeOf<SignupsConfig['reminders']>().toEqualTypeOf<{
      noDriDaysBefore: number;
      labEnvironmentDaysBefore: number;
      webinarMp4BusinessDaysBefore: number;
    }>();
    expectTypeOf<SignupsConfig['holidays']>().toEqualTypeOf<string | undefined>();
  });

  it('keep the board kinds apart', () => {
    expectTypeOf<RhythmConfig['boards'][number]>().toEqualTypeOf<SkillsExchangeBoard | SignupsBoard>();
    expectTypeOf<SkillsExchangeBoard['kind']>().toEqualTypeOf<'skills-exchange'>();
    expectTypeOf<SignupsBoard>().toEqualTypeOf<{
      kind: 'signups';
      name: string;
      id?: string;
      calendar: SkillsExchangeBoard['calendar'];
      project: string;
      dryRun: boolean;
      dashboard?: DashboardSettings;
      chat?: ChatSettings;
    }>();
    expectTypeOf<ChatSettings>().toEqualTypeOf<{ webhookUrl: string; timeoutSeconds: number; soonDays: number }>();
    expectTypeOf<SkillsExchangeBoard['dashboard']>().toEqualTypeOf<DashboardSettings | undefined>();
    expectTypeOf<DashboardSettings>().toEqualTypeOf<{ enabled: boolean; title: string; weeks: number; debounceMs: number }>();
    expectTypeOf<SkillsExchangeBoard['calendar']>().toEqualTypeOf<{
      enabled: boolean;
      sessionTime?: string;
      durationMinutes: number;
      token?: string;
      cacheSeconds: number;
      cancelledDays: number;
    }>();
    expectTypeOf<SkillsExchangeBoard['labels']>().toEqualTypeOf<{ plan: string; scheduled: string }>();
    expectTypeOf<SkillsExchangeBoard['order']>().toEqualTypeOf<{ enabled: boolean; debounceMs: number }>();
    expectTypeOf<SkillsExchangeBoard['reminders']>().toEqualTypeOf<{ beforeDays: number; afterUntilRecording: boolean }>();
    expectTypeOf<SkillsExchangeBoard['handbookUrl']>().toEqualTypeOf<string>();
  });

  it('give every rule its setting, with the modes of the schema', () => {
    expectTypeOf<RuleMode>().toEqualTypeOf<'comment' | 'fix' | 'revert'>();
    expectTypeOf<RuleSetting>().toEqualTypeOf<{ enabled: boolean; mode: RuleMode }>();
    expectTypeOf<TemplateRuleSetting>().toEqualTypeOf<{
      enabled: boolean;
      mode: RuleMode;
      required: string[];
      optional: string[];
      needsInfoLabel?: string;
    }>();
    expectTypeOf<keyof BoardRules>().toEqualTypeOf<'moderator' | 'assignees' | 'dueDate' | 'transition' | 'template' | 'conflict'>();
  });

  it('give every session a zone, and labs their access days', () => {
    expectTypeOf<SessionSeries['timezone']>().toEqualTypeOf<string>();
    expectTypeOf<SessionSeries['accessDays']>().toEqualTypeOf<2 | 4 | undefined>();
    expectTypeOf<SessionSeries['dates']>().toEqualTypeOf<string[]>();
    expectTypeOf<SessionSeries['rrule']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<SignupCalendar['template']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<SignupsConfig['webinars']>().toExtend<SignupCalendar>();
    expectTypeOf<SignupsConfig['webinars']['sessions'][number]>().not.toHaveProperty('accessDays');
  });
});
