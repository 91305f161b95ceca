// The rhythm.yml the project ships: it loads cleanly and says what workflow.md describes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkConfig, describeConfig } from '../../src/config/check.js';
import { loadConfig } from '../../src/config/load.js';

const shipped = fileURLToPath(new URL('../../rhythm.yml', import.meta.url));

function capture(): { out: string[]; err: string[]; output: { out: (l: string) => void; err: (l: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (line) => out.push(line), err: (line) => err.push(line) } };
}

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
    expect(config.gitlab).toEqual({ url: 'http://127.0.0.1:4000', token: 'test-token', botUsername: 'rhythm-bot' });
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

describe('rhythm check-config', () => {
  it('prints one OK line without the token and exits 0', () => {
    const { out, err, output } = capture();
    expect(checkConfig(shipped, { GITLAB_TOKEN: 'glpat-do-not-print' }, output)).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      `${shipped} OK: GitLab http://127.0.0.1:4000 as rhythm-bot; timezone America/Los_Angeles; 1 board: skills-exchange (skills-exchange); signups in gitlab-com/customer-success/customer-success-engineering/content (3 webinar series, 4 lab series)`,
    ]);
    expect(out.join('\n')).not.toContain('glpat-do-not-print');
  });

  it('prints every problem and exits 1', () => {
    const { out, err, output } = capture();
    expect(checkConfig(shipped, {}, output)).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      `${shipped}:16:10 gitlab.token needs the environment variable GITLAB_TOKEN, which is not set`,
      `${shipped}: 1 problem`,
    ]);
  });

  it('gives one clear error for a missing file', () => {
    const { err, output } = capture();
    expect(checkConfig('no/such/rhythm.yml', {}, output)).toBe(1);
    expect(err).toEqual([
      "no/such/rhythm.yml: no such file; create it (the project's rhythm.yml is an example) or pass --config FILE",
      'no/such/rhythm.yml: 1 problem',
    ]);
  });

  it('leaves credentials in the URL out of the summary', () => {
    const result = loadConfig(shipped, { GITLAB_TOKEN: 't', GITLAB_URL: 'https://user:pw@gitlab.example.org/' });
    expect(result.ok && describeConfig(result.config)).toMatch(/^GitLab https:\/\/gitlab\.example\.org as rhythm-bot;/);
  });
});
