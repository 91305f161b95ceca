// The calendar's settings in rhythm.yml: board ids (the name when left out) are unique, since
// feed URLs name boards by id; a calendar token is a secret like any other.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateFile } from '../../src/config/template-path.js';
import { loadConfigText } from '../../src/config/load.js';
import { boardById, boardId } from '../../src/handlers/calendar/index.js';

const env = { GITLAB_TOKEN: 'test-token', RHYTHM_CALENDAR_TOKEN: 's3cret-feed' };
const head = `gitlab:
  url: http://127.0.0.1:4000
  token: \${GITLAB_TOKEN}
boards:
  - kind: skills-exchange
    name: skills-exchange
    project: a/sessions
    handbookUrl: https://example.org/handbook
`;
const board = (name: string, extra = '') =>
  `  - kind: skills-exchange\n    name: ${name}\n    project: a/${name}\n    handbookUrl: https://example.org/h\n${extra}`;
const errors = (text: string) => {
  const r = loadConfigText(text, 'rhythm.yml', env);
  return r.ok ? [] : r.errors;
};

describe('board ids', () => {
  it("default to the board's name", () => {
    const r = loadConfigText(head, 'rhythm.yml', env);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(boardId(r.config.boards[0]!)).toBe('skills-exchange');
    expect(boardById(r.config, 'skills-exchange')?.project).toBe('a/sessions');
  });

  it('refuse an id another board has, also when it is that board’s name', () => {
    expect(errors(`${head}${board('other', '    id: skills-exchange\n')}`)).toEqual([
      'rhythm.yml:13:9 boards[1].id "skills-exchange" is already the id of boards[0] (an id left out is the name); board ids must be unique',
    ]);
    expect(errors(`${head.replace('    name: skills-exchange\n', '    name: skills-exchange\n    id: sx\n')}${board('sx')}`)).toEqual([
      'rhythm.yml:11:11 boards[1].name "sx" is already the id of boards[0] (an id left out is the name); board ids must be unique',
    ]);
  });

  it('refuse a literal calendar token, and take one from the environment', () => {
    const literal = errors(head.replace('    handbookUrl', '    calendar:\n      token: hunter2\n    handbookUrl'));
    expect(literal).toEqual([
      'rhythm.yml:9:14 boards[0].calendar.token is written literally; put it in an environment variable and write ${BOARDS_CALENDAR_TOKEN}',
    ]);
    const r = loadConfigText(
      head.replace('    handbookUrl', '    calendar:\n      token: ${RHYTHM_CALENDAR_TOKEN}\n    handbookUrl'),
      'rhythm.yml',
      env,
    );
    expect(r.ok && r.config.boards[0]!.calendar.token).toBe('s3cret-feed');
  });
});

describe('program plans in rhythm.yml', () => {
  it("refuse a program whose template is not a file, naming the program's key", () => {
    const plan = (name: string, template: string) =>
      `    - name: ${name}\n      title: T\n      template: ${template}\n      people: [member]\n`;
    const text = `${head}programs:\n  project: a/programs\n  plans:\n${plan('bootcamp', 'templates/nope.md.hbs')}${plan('bootcamp', 'templates/program-accreditation.md.hbs')}`;
    expect(errors(text)).toEqual([
      'rhythm.yml:14:17 programs.plans[0].template names "templates/nope.md.hbs", which is not a file (paths are relative to the config file\'s folder; templates/… also finds Rhythm\'s own)',
      'rhythm.yml:16:13 programs.plans[1].name "bootcamp" is already the name of programs.plans[0]',
    ]);
  });
});

describe('the shipped program templates', () => {
  it('are found from a copy of rhythm.yml in any folder, and a team template beside the config wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rhythm-template-'));
    try {
      expect(templateFile(dir, 'templates/program-internship.md.hbs')).toMatch(/templates[\\/]program-internship\.md\.hbs$/);
      expect(templateFile(dir, 'templates/nope.md.hbs')).toBeNull();
      // Only Rhythm's templates/ folder is searched, never a path that climbs out of it.
      expect(templateFile(dir, 'templates/../package.json')).toBeNull();
      mkdirSync(join(dir, 'templates'));
      writeFileSync(join(dir, 'templates/program-internship.md.hbs'), 'ours');
      expect(templateFile(dir, 'templates/program-internship.md.hbs')).toBe(join(dir, 'templates/program-internship.md.hbs'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
