// The rhythm.yml the project ships: it loads cleanly and says what workflow.md describes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const shipped = fileURLToPath(new URL('../../rhythm.yml', import.meta.url));

describe('the shipped rhythm.yml', () => {
  it('loads with no errors when GITLAB_TOKEN is set', () => {
    const result = loadConfig(shipped, { GITLAB_TOKEN: 'test-token' });
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('points editors at the schema on its first line', () => {
    expect(readFileSync(shipped, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./schemas/config.schema.json');
  });

  it('keeps the Skills Exchange board and the CSE sign-ups of the handbook', () => {
    const result = loadConfig(shipped, { GITLAB_TOKEN: 'test-token' });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const { config } = result;
    expect(config.gitlab).toEqual({
      url: 'http://127.0.0.1:4000',
      token: 'test-token',
      botUsername: 'rhythm-bot',
      createsPerMinute: { notes: 50, issues: 150 },
    });
    const board = config.boards[0];
    expect(board?.kind).toBe('skills-exchange');
    if (board?.kind !== 'skills-exchange') return;
    expect(board.project).toBe('gitlab-com/sales-team/cs-skills-exchange');
    expect(board.labels).toEqual({ plan: 'status:plan', scheduled: 'status:scheduled' });
    expect(board.rules.template.required).toEqual(['Topic', 'Why is this valuable', 'Speaker']);
    expect(board.rules.template.optional).toEqual(['Audience', 'Links']);
    expect(Object.fromEntries(Object.entries(board.rules).map(([id, rule]) => [id, rule.mode]))).toEqual({
      moderator: 'fix',
      assignees: 'comment',
      dueDate: 'comment',
      transition: 'revert',
      template: 'comment',
      conflict: 'comment',
    });
    const signups = config.signups;
    expect(signups?.project).toBe('gitlab-com/customer-success/customer-success-engineering/content');
    expect(signups?.webinars.labels).toEqual(['cse-events::sign-up']);
    expect(signups?.webinars.sessions.map((s) => [s.region, s.timezone, s.time])).toEqual([
      ['AMER', 'America/Los_Angeles', '09:00'],
      ['EMEA', 'Europe/London', '10:00'],
      ['APAC', 'Australia/Sydney', '11:00'],
    ]);
    const labs = signups?.labs.sessions ?? [];
    expect(labs.every((s) => s.accessDays === 2 || s.accessDays === 4)).toBe(true);
    expect(labs.some((s) => s.skip.length > 0)).toBe(true);
    expect(labs.some((s) => s.rrule === undefined && s.dates.length > 0)).toBe(true);
  });

  it('GITLAB_URL points it at another GitLab', () => {
    const result = loadConfig(shipped, { GITLAB_TOKEN: 't', GITLAB_URL: 'https://gitlab.example.org' });
    expect(result.ok && result.config.gitlab.url).toBe('https://gitlab.example.org');
  });
});

describe('loadConfig, as `rhythm check-config` reads a file', () => {
  it('loads what the OK line sums up: one board, three webinar series, four lab series', () => {
    const result = loadConfig(shipped, { GITLAB_TOKEN: 'test-token' });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const { config } = result;
    expect(config.boards.map((board) => `${board.name} (${board.kind})`)).toEqual([
      'skills-exchange (skills-exchange)',
      'content (signups)',
    ]);
    expect(config.timezone).toBe('America/Los_Angeles');
    expect(config.dryRun).toBe(false);
    expect(config.signups?.webinars.sessions).toHaveLength(3);
    expect(config.signups?.labs.sessions).toHaveLength(4);
  });

  it('gives every problem as one located line', () => {
    const result = loadConfig(shipped, {});
    expect(result.ok ? [] : result.errors).toEqual([
      `${shipped}:16:10 gitlab.token needs the environment variable GITLAB_TOKEN, which is not set`,
    ]);
  });

  it('gives one clear error for a missing file', () => {
    const result = loadConfig('no/such/rhythm.yml', {});
    expect(result.ok ? [] : result.errors).toEqual([
      "no/such/rhythm.yml: no such file; create it (the project's rhythm.yml is an example) or pass --config FILE",
    ]);
  });

  it('never repeats the token or the credentials in GITLAB_URL in a problem', () => {
    const result = loadConfig(shipped, { GITLAB_TOKEN: 'glpat-do-not-print', GITLAB_URL: 'ftp://user:pw@gitlab.example.org/' });
    expect(result.ok ? [] : result.errors).toEqual([
      `${shipped}:14:8 gitlab.url (from GITLAB_URL) must be a URL starting with http:// or https://`,
    ]);
  });
});
