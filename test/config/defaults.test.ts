// What a short rhythm.yml means once loaded: every default from the schema filled in.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, loadConfigText } from '../../src/config/load.js';
import type { RhythmConfig } from '../../src/config/types.js';

const env = { GITLAB_TOKEN: 'test-token' };

function load(text: string, source = 'rhythm.yml'): RhythmConfig {
  const result = loadConfigText(text, source, env);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

describe('defaults', () => {
  it('fills a minimal skills-exchange board with every default', () => {
    const config = load(
      'gitlab:\n  url: http://127.0.0.1:4000\n  token: ${GITLAB_TOKEN}\nboards:\n  - kind: skills-exchange\n    name: sx\n    project: team/sessions\n    handbookUrl: https://example.org/h\n',
    );
    const rule = { enabled: true, mode: 'comment' };
    expect(config).toEqual({
      source: 'rhythm.yml',
      gitlab: { url: 'http://127.0.0.1:4000', token: 'test-token', botUsername: 'rhythm-bot' },
      timezone: 'UTC',
      dryRun: false,
      sweep: { intervalMinutes: 60, fullEveryHours: 24 },
      boards: [
        {
          kind: 'skills-exchange',
          name: 'sx',
          project: 'team/sessions',
          handbookUrl: 'https://example.org/h',
          dryRun: false,
          calendar: { enabled: true, durationMinutes: 60, cacheSeconds: 60, cancelledDays: 60 },
          labels: { plan: 'status:plan', scheduled: 'status:scheduled' },
          rules: {
            moderator: rule,
            assignees: rule,
            dueDate: rule,
            transition: rule,
            template: { ...rule, required: ['Topic', 'Why is this valuable', 'Speaker'], optional: ['Audience', 'Links'] },
            conflict: rule,
          },
          order: { enabled: true, debounceMs: 2000 },
          reminders: { beforeDays: 2, afterUntilRecording: true },
        },
      ],
    });
  });

  it("keeps a rule's other defaults when only its mode is given", () => {
    const config = load(
      'gitlab: { url: "http://h.example", token: "${GITLAB_TOKEN}" }\nboards:\n  - { kind: skills-exchange, name: sx, project: a/b, handbookUrl: "https://example.org/h", rules: { moderator: { mode: fix } } }\n',
    );
    const board = config.boards[0];
    expect(board?.kind === 'skills-exchange' && board.rules.moderator).toEqual({ enabled: true, mode: 'fix' });
  });

  it('fills a signups block: a left-out calendar is off, a session takes the team zone', () => {
    const config = load(
      'gitlab: { url: "http://h.example", token: "${GITLAB_TOKEN}" }\ntimezone: Europe/Berlin\nsignups:\n  project: team/content\n  webinars:\n    sessions:\n      - { title: W, region: EMEA, rrule: "FREQ=MONTHLY;BYDAY=2TU", time: "10:00" }\n',
    );
    expect(config.boards).toEqual([]);
    expect(config.signups).toEqual({
      project: 'team/content',
      webinars: {
        enabled: true,
        title: 'Webinar DRI sign-up: {{monthName}}',
        labels: ['cse-events::sign-up'],
        sessions: [
          {
            title: 'W',
            region: 'EMEA',
            rrule: 'FREQ=MONTHLY;BYDAY=2TU',
            time: '10:00',
            timezone: 'Europe/Berlin',
            dates: [],
            skip: [],
            durationMinutes: 60,
          },
        ],
      },
      labs: { enabled: false, title: 'Hands-on lab DRI sign-up: {{monthName}}', labels: ['cse-events::sign-up'], sessions: [] },
      reminders: { noDriDaysBefore: 10, labEnvironmentDaysBefore: 7, webinarMp4BusinessDaysBefore: 2 },
    });
  });
});

describe('template overrides', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rhythm-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves a template path relative to the config file, not the working directory', () => {
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(join(dir, 'templates', 'labs.md.hbs'), '# {{monthName}}\n');
    const file = join(dir, 'rhythm.yml');
    writeFileSync(
      file,
      'gitlab: { url: "http://h.example", token: "${GITLAB_TOKEN}" }\nsignups:\n  project: team/content\n  labs:\n    template: templates/labs.md.hbs\n    sessions:\n      - { title: L, region: AMER, dates: ["2026-12-03T09:00"], accessDays: 2 }\n',
    );
    const result = loadConfig(file, env);
    expect(result.ok && result.config.signups?.labs.template).toBe(join(dir, 'templates', 'labs.md.hbs'));
  });

  it('refuses the same path when it is missing next to the config file', () => {
    const other = mkdtempSync(join(dir, 'empty-'));
    const file = join(other, 'rhythm.yml');
    writeFileSync(
      file,
      'gitlab: { url: "http://h.example", token: "${GITLAB_TOKEN}" }\nsignups:\n  project: team/content\n  labs:\n    template: templates/labs.md.hbs\n    sessions:\n      - { title: L, region: AMER, dates: ["2026-12-03T09:00"] }\n',
    );
    const result = loadConfig(file, env);
    expect(result.ok ? [] : result.errors).toEqual([
      `${file}:5:15 signups.labs.template names "templates/labs.md.hbs", which is not a file (paths are relative to the config file's folder)`,
    ]);
  });
});
