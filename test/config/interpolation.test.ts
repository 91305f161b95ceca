// ${VAR} interpolation, secrets that must come from the environment, and environment overrides.
import { describe, expect, it } from 'vitest';
import { expand } from '../../src/config/interpolate.js';
import { loadConfigText } from '../../src/config/load.js';

function config(gitlab: string, rest = ''): string {
  return `gitlab:\n${gitlab}\nboards:\n  - kind: skills-exchange\n    name: sx\n    project: a/b\n    handbookUrl: https://example.org/h\n${rest}`;
}

function errorsOf(text: string, env: Record<string, string | undefined>): string[] {
  const result = loadConfigText(text, 'rhythm.yml', env);
  return result.ok ? [] : result.errors;
}

describe('expanding ${VAR}', () => {
  it.each([
    ['plain text stays', 'no refs', {}, 'no refs'],
    ['a set variable', 'https://${HOST}/x', { HOST: 'gitlab.example.org' }, 'https://gitlab.example.org/x'],
    ['a default when unset', '${HOST:-localhost}', {}, 'localhost'],
    ['a default when empty', '${HOST:-localhost}', { HOST: '' }, 'localhost'],
    ['the value over the default', '${HOST:-localhost}', { HOST: 'h' }, 'h'],
    ['an empty default', 'a${X:-}b', {}, 'ab'],
    ['a set but empty variable without default', 'a${X}b', { X: '' }, 'ab'],
    ['$${ as a literal ${', 'cost $${X} and ${X}', { X: '1' }, 'cost ${X} and 1'],
    ['several references', '${A}-${B:-b}', { A: 'a' }, 'a-b'],
  ])('%s', (_name, text, env, expected) => {
    expect(expand(text, env)).toEqual({ ok: true, value: expected });
  });

  it('collects every unset variable', () => {
    expect(expand('${A}/${B}/${A}', {})).toEqual({ ok: false, unset: ['A', 'B', 'A'] });
  });

  it.each(['${', '${1X}', '${A B}', '${A:-${B}}', '${A:=x}'])('refuses the malformed %s', (text) => {
    const result = expand(text, { A: 'a', B: 'b' });
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.malformed).toBeDefined();
  });
});

describe('interpolation in rhythm.yml', () => {
  it('fills values from the environment and leaves keys alone', () => {
    const text = config('  url: ${GITLAB_URL:-http://127.0.0.1:4000}\n  token: ${GITLAB_TOKEN}', 'timezone: ${TEAM_TZ}\n');
    const result = loadConfigText(text, 'rhythm.yml', { GITLAB_TOKEN: 't', TEAM_TZ: 'Europe/London' });
    expect(result.ok && result.config.timezone).toBe('Europe/London');
    expect(result.ok && result.config.gitlab.url).toBe('http://127.0.0.1:4000');
  });

  it('names an unset variable at the value that uses it', () => {
    const text = config('  url: http://127.0.0.1:4000\n  token: ${GITLAB_TOKEN}', 'timezone: ${TEAM_TZ}\n');
    expect(errorsOf(text, { GITLAB_TOKEN: 't' })).toEqual([
      'rhythm.yml:9:11 timezone needs the environment variable TEAM_TZ, which is not set (set it, or write ${TEAM_TZ:-value} to give a default)',
    ]);
  });

  it('names a malformed reference', () => {
    const text = config('  url: http://127.0.0.1:4000\n  token: ${GITLAB_TOKEN}', 'timezone: ${TEAM TZ}\n');
    expect(errorsOf(text, { GITLAB_TOKEN: 't' })).toEqual([
      'rhythm.yml:9:11 timezone has a malformed reference "${TEAM TZ}"; write ${NAME} or ${NAME:-default} (and $${ for a literal ${)',
    ]);
  });

  it('interpolates inside lists and nested maps', () => {
    const text = config(
      '  url: http://h.example\n  token: ${GITLAB_TOKEN}',
      '    rules:\n      template:\n        required: [Topic, "${EXTRA}"]\n',
    );
    const result = loadConfigText(text, 'rhythm.yml', { GITLAB_TOKEN: 't', EXTRA: 'Speaker' });
    const board = result.ok ? result.config.boards[0] : undefined;
    expect(board?.kind === 'skills-exchange' && board.rules.template.required).toEqual(['Topic', 'Speaker']);
  });
});

describe('secrets must come from the environment', () => {
  const secret = 'glpat-very-secret-value';

  it('refuses a literal token, at the value, without repeating it', () => {
    const errors = errorsOf(config(`  url: http://h.example\n  token: ${secret}`), {});
    expect(errors).toEqual([
      'rhythm.yml:3:10 gitlab.token is written literally; put it in an environment variable and write ${GITLAB_TOKEN}',
    ]);
  });

  it.each([
    ['a default after :-', '${GITLAB_TOKEN:-glpat-very-secret-value}'],
    ['text around the reference', 'Bearer ${GITLAB_TOKEN}'],
  ])('refuses %s', (_name, value) => {
    const errors = errorsOf(config(`  url: http://h.example\n  token: "${value}"`), { GITLAB_TOKEN: 't' });
    expect(errors).toEqual([
      'rhythm.yml:3:10 gitlab.token must be exactly one ${VAR} with no default or other text; write ${GITLAB_TOKEN}',
    ]);
    expect(errors.join('\n')).not.toContain(secret);
  });

  it('refuses a number as a token', () => {
    expect(errorsOf(config('  url: http://h.example\n  token: 123456'), {})).toEqual([
      'rhythm.yml:3:10 gitlab.token is written literally; put it in an environment variable and write ${GITLAB_TOKEN}',
    ]);
  });

  it('refuses any key named like a secret, anywhere, alongside the unknown-key error', () => {
    const text = config('  url: http://h.example\n  token: ${GITLAB_TOKEN}\n  webhookSecret: hunter2', '    password: hunter2\n');
    const errors = errorsOf(text, { GITLAB_TOKEN: 't' });
    expect(errors).toEqual([
      'rhythm.yml:4:3 gitlab: unknown key "webhookSecret" (expected one of: url, token, botUsername, createsPerMinute)',
      'rhythm.yml:4:18 gitlab.webhookSecret is written literally; put it in an environment variable and write ${GITLAB_WEBHOOK_SECRET}',
      'rhythm.yml:10:5 boards[0]: unknown key "password" (expected one of: kind, name, id, calendar, project, dryRun, onboarding, labels, rules, order, reminders, handbookUrl, dashboard, chat)',
      'rhythm.yml:10:15 boards[0].password is written literally; put it in an environment variable and write ${BOARDS_PASSWORD}',
    ]);
    expect(errors.join('\n')).not.toContain('hunter2');
  });

  it('says which variable is missing for the token, without suggesting a default', () => {
    expect(errorsOf(config('  url: http://h.example\n  token: ${GITLAB_TOKEN}'), {})).toEqual([
      'rhythm.yml:3:10 gitlab.token needs the environment variable GITLAB_TOKEN, which is not set',
    ]);
  });

  it('never repeats the token when it is wrong in another way', () => {
    const errors = errorsOf(config('  url: http://h.example\n  token: ${GITLAB_TOKEN}'), { GITLAB_TOKEN: '' });
    expect(errors).toEqual(['rhythm.yml:3:10 gitlab.token must not be empty']);
  });
});

describe('environment overrides', () => {
  const text = config('  url: https://gitlab.example.org\n  token: ${GITLAB_TOKEN}');

  it('GITLAB_URL overrides gitlab.url', () => {
    const result = loadConfigText(text, 'rhythm.yml', { GITLAB_TOKEN: 't', GITLAB_URL: 'http://127.0.0.1:9999' });
    expect(result.ok && result.config.gitlab.url).toBe('http://127.0.0.1:9999');
  });

  it('an empty GITLAB_URL overrides nothing', () => {
    const result = loadConfigText(text, 'rhythm.yml', { GITLAB_TOKEN: 't', GITLAB_URL: '' });
    expect(result.ok && result.config.gitlab.url).toBe('https://gitlab.example.org');
  });

  it('a bad GITLAB_URL is named as coming from the environment, at gitlab.url, without its value', () => {
    expect(errorsOf(text, { GITLAB_TOKEN: 't', GITLAB_URL: 'gitlab.internal' })).toEqual([
      'rhythm.yml:2:8 gitlab.url (from GITLAB_URL) must be a URL starting with http:// or https://',
    ]);
  });

  it('GITLAB_TOKEN is used when gitlab.token is left out', () => {
    const result = loadConfigText(config('  url: https://gitlab.example.org'), 'rhythm.yml', { GITLAB_TOKEN: 'from-env' });
    expect(result.ok && result.config.gitlab.token).toBe('from-env');
  });

  it('the whole gitlab block can come from the environment', () => {
    const bare = 'boards: []\n';
    const result = loadConfigText(bare, 'rhythm.yml', { GITLAB_URL: 'https://gitlab.example.org', GITLAB_TOKEN: 't' });
    expect(result.ok && result.config.gitlab).toEqual({ url: 'https://gitlab.example.org', token: 't', botUsername: 'rhythm-bot' });
  });

  it('with neither the key nor GITLAB_TOKEN, says how to give it', () => {
    expect(errorsOf(config('  url: https://gitlab.example.org'), {})).toEqual([
      'rhythm.yml:2:3 gitlab must have "token" (not found); write token: ${GITLAB_TOKEN} and set GITLAB_TOKEN',
    ]);
  });
});
