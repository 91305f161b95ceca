// Every bad config names the file, line and column, what was expected and what was found.
// Line numbers below count from the first line of each `text`.
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';

const env = { GITLAB_TOKEN: 'test-token' };

/** A valid head: gitlab on lines 1-3, one board on lines 4-8. Cases append from line 9. */
const head = `gitlab:
  url: http://127.0.0.1:4000
  token: \${GITLAB_TOKEN}
boards:
  - kind: skills-exchange
    name: skills-exchange
    project: gitlab-com/sales-team/cs-skills-exchange
    handbookUrl: https://example.org/handbook
`;

/** A valid signups block for line 9 onwards; sessions from line 14. */
const signupsHead = `signups:
  project: gitlab-com/customer-success/customer-success-engineering/content
  webinars:
    title: "Webinar DRI sign-up: {{monthName}}"
    sessions:
`;

interface Case {
  name: string;
  text: string;
  errors: string[];
}

const cases: Case[] = [
  {
    name: 'a bot username GitLab would never give (GitLab\u2019s own grammar, as mentions are read)',
    text: `gitlab:\n  url: http://127.0.0.1:4000\n  token: \${GITLAB_TOKEN}\n  botUsername: rhythm.git\n${head.split('\n').slice(3).join('\n')}`,
    errors: [
      'rhythm.yml:4:16 gitlab.botUsername must be a GitLab username (letters, digits, _ . -; not ending in . or .git) (got "rhythm.git")',
    ],
  },
  {
    name: 'a rule mode that does not exist',
    text: `${head}    rules:\n      moderator:\n        mode: warn\n`,
    errors: ['rhythm.yml:11:15 boards[0].rules.moderator.mode must be one of: comment, fix, revert (got "warn")'],
  },
  {
    name: 'a misspelt key, with a suggestion',
    text: `${head}    rules:\n      moderater:\n        mode: fix\n`,
    errors: ['rhythm.yml:10:7 boards[0].rules: unknown key "moderater" (did you mean "moderator"?)'],
  },
  {
    name: 'an unknown top-level key with nothing close, listing what is allowed',
    text: `${head}webhooks: true\n`,
    errors: [
      'rhythm.yml:9:1 unknown key "webhooks" (expected one of: gitlab, timezone, dryRun, onboarding, sweep, boards, signups, programs)',
    ],
  },
  {
    name: 'a board without its project, pointing at the board',
    text: `gitlab:\n  url: http://127.0.0.1:4000\n  token: \${GITLAB_TOKEN}\nboards:\n  - kind: skills-exchange\n    name: sx\n    handbookUrl: https://example.org/h\n`,
    errors: ['rhythm.yml:5:5 boards[0] must have "project" (not found)'],
  },
  {
    name: 'text where a whole number belongs',
    text: `${head}sweep:\n  intervalMinutes: often\n`,
    errors: ['rhythm.yml:10:20 sweep.intervalMinutes must be a whole number (got "often")'],
  },
  {
    name: 'a negative debounce',
    text: `${head}    order:\n      debounceMs: -5\n`,
    errors: ['rhythm.yml:10:19 boards[0].order.debounceMs must be at least 0 (got -5)'],
  },
  {
    name: 'a board kind that does not exist',
    text: `${head}  - kind: kanban\n    name: other\n`,
    errors: ['rhythm.yml:9:11 boards[1].kind must be one of: skills-exchange, signups (got "kanban")'],
  },
  {
    name: 'a board without a kind',
    text: `${head}  - name: other\n    project: a/b\n`,
    errors: ['rhythm.yml:9:5 boards[1] must have "kind" (not found)'],
  },
  {
    name: 'a list where a map belongs',
    text: `${head}    labels: [status:plan, status:scheduled]\n`,
    errors: ['rhythm.yml:9:13 boards[0].labels must be a map of keys (got a list)'],
  },
  {
    name: 'an empty gitlab block',
    text: `gitlab:\nboards: []\n`,
    errors: ['rhythm.yml:1:8 gitlab must be a map of keys (got an empty value)'],
  },
  {
    name: 'no GitLab URL anywhere',
    text: `gitlab:\n  token: \${GITLAB_TOKEN}\n`,
    errors: ['rhythm.yml:2:3 gitlab must have "url" (not found); write url: ${GITLAB_URL} or set GITLAB_URL'],
  },
  {
    name: 'a URL that is not http(s)',
    text: head.replace('http://127.0.0.1:4000', 'ftp://gitlab.example.org'),
    errors: ['rhythm.yml:2:8 gitlab.url must be a URL starting with http:// or https:// (got "ftp://gitlab.example.org")'],
  },
  {
    name: 'a list at the top level',
    text: `- gitlab\n- boards\n`,
    errors: ['rhythm.yml:1:1 the top level must be a map of keys (got a list)'],
  },
  {
    name: 'a board name with capitals and a repeated name',
    text: `${head}  - kind: skills-exchange\n    name: skills-exchange\n    project: a/other\n    handbookUrl: https://example.org/h\n  - kind: skills-exchange\n    name: Other\n    project: a/third\n    handbookUrl: https://example.org/h\n`,
    errors: [
      'rhythm.yml:10:11 boards[1].name "skills-exchange" is already used by boards[0]; board names must be unique',
      'rhythm.yml:14:11 boards[2].name must be a short name of lower-case letters, digits and dashes (got "Other")',
    ],
  },
  {
    name: 'two boards on one project',
    text: `${head}  - kind: skills-exchange\n    name: again\n    project: gitlab-com/sales-team/cs-skills-exchange\n    handbookUrl: https://example.org/h\n`,
    errors: ['rhythm.yml:11:14 boards[1].project gitlab-com/sales-team/cs-skills-exchange is already kept by boards[0]'],
  },
  {
    name: 'the same label for both columns',
    text: `${head}    labels:\n      plan: doing\n      scheduled: doing\n`,
    errors: ['rhythm.yml:11:18 boards[0].labels.scheduled must differ from labels.plan (both "doing")'],
  },
  {
    name: 'a template section both required and optional, and one required twice',
    text: `${head}    rules:\n      template:\n        required: [Topic, Speaker, Topic]\n        optional: [Links, Speaker]\n`,
    errors: [
      'rhythm.yml:11:36 boards[0].rules.template.required[2] repeats "Topic", already listed at [0]',
      'rhythm.yml:12:27 boards[0].rules.template.optional[1] "Speaker" is also in required; a section is one or the other',
    ],
  },
  {
    name: 'a time zone that does not exist',
    text: `${head}timezone: Mars/Olympus_Mons\n`,
    errors: ['rhythm.yml:9:11 timezone must be an IANA time zone such as America/Los_Angeles (got "Mars/Olympus_Mons")'],
  },
  {
    name: 'a session time in the wrong form, and a rule with no time',
    text: `${head}${signupsHead}      - title: Webinar\n        region: AMER\n        rrule: FREQ=MONTHLY;BYDAY=2TU\n        time: 9am\n      - title: Webinar\n        region: EMEA\n        rrule: FREQ=MONTHLY;BYDAY=2WE\n`,
    errors: [
      'rhythm.yml:17:15 signups.webinars.sessions[0].time must be a time HH:MM (24-hour) (got "9am")',
      'rhythm.yml:18:9 signups.webinars.sessions[1] has "rrule" but not "time"; the two go together',
    ],
  },
  {
    name: 'recurrence rules that cannot be used',
    text: `${head}${signupsHead}      - { title: A, region: AMER, time: "09:00", rrule: "FREQ=MONTHLY;BYDAY=XX" }\n      - { title: B, region: AMER, time: "09:00", rrule: "FOO=1" }\n      - { title: C, region: AMER, time: "09:00", rrule: "FREQ=HOURLY" }\n      - { title: D, region: AMER, time: "09:00", rrule: "BYDAY=TU" }\n      - { title: E, region: AMER, time: "09:00", rrule: "DTSTART:20260101T090000Z" }\n`,
    errors: [
      'rhythm.yml:14:57 signups.webinars.sessions[0].rrule is not a usable recurrence rule: it has an unknown value in BYDAY',
      "rhythm.yml:15:57 signups.webinars.sessions[1].rrule is not a usable recurrence rule: Unknown RRULE property 'FOO'",
      'rhythm.yml:16:57 signups.webinars.sessions[2].rrule is not a usable recurrence rule: sessions repeat at most daily (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)',
      'rhythm.yml:17:57 signups.webinars.sessions[3].rrule is not a usable recurrence rule: it needs FREQ, e.g. FREQ=MONTHLY',
      'rhythm.yml:18:57 signups.webinars.sessions[4].rrule is not a usable recurrence rule: write only the rule, without DTSTART or RRULE: (time and timezone give the start)',
    ],
  },
  {
    name: 'dates that do not exist, and a skip the rule never gives',
    text: `${head}${signupsHead}      - title: Webinar\n        region: AMER\n        timezone: America/Los_Angeles\n        rrule: FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2\n        time: "09:00"\n        skip: ["2026-12-09", "2026-02-30"]\n        dates: ["2026-03-08T02:30", "2026-02-30T09:00"]\n`,
    errors: [
      'rhythm.yml:19:16 signups.webinars.sessions[0].skip[0] 2026-12-09 is not a date the rule gives, so there is nothing to skip',
      'rhythm.yml:19:30 signups.webinars.sessions[0].skip[1] must be a real date YYYY-MM-DD (got "2026-02-30")',
      'rhythm.yml:20:17 signups.webinars.sessions[0].dates[0] 2026-03-08T02:30 does not exist in America/Los_Angeles (the clocks skip that hour)',
      'rhythm.yml:20:37 signups.webinars.sessions[0].dates[1] must be a real date and time (got "2026-02-30T09:00")',
    ],
  },
  {
    name: 'a session with neither rule nor dates, and a session zone that does not exist',
    text: `${head}${signupsHead}      - title: Webinar\n        region: AMER\n        timezone: Pacific Time\n`,
    errors: [
      'rhythm.yml:14:9 signups.webinars.sessions[0] has neither rrule nor dates; give a rule with a time, or one-off dates',
      'rhythm.yml:16:19 signups.webinars.sessions[0].timezone must be an IANA time zone such as America/Los_Angeles (got "Pacific Time")',
    ],
  },
  {
    name: 'lab access days other than 2 or 4, and access days on a webinar',
    text: `${head}${signupsHead}      - { title: W, region: AMER, time: "09:00", rrule: "FREQ=MONTHLY;BYDAY=2TU", accessDays: 2 }\n  labs:\n    sessions:\n      - { title: L, region: AMER, dates: ["2026-12-03T09:00"], accessDays: 3 }\n`,
    errors: [
      'rhythm.yml:14:83 signups.webinars.sessions[0]: unknown key "accessDays" (expected one of: title, region, timezone, rrule, time, dates, skip, durationMinutes, registrationUrl)',
      'rhythm.yml:17:76 signups.labs.sessions[0].accessDays must be one of: 2, 4 (got 3)',
    ],
  },
  {
    name: 'an enabled calendar with no sessions, a bad title template and a missing template file',
    text: `${head}signups:\n  project: a/content\n  labs:\n    title: "Lab sign-up {{#if month}"\n    template: templates/nowhere.md.hbs\n`,
    errors: [
      'rhythm.yml:12:5 signups.labs is enabled but has no sessions; add sessions or set enabled: false',
      'rhythm.yml:12:12 signups.labs.title is not a valid Handlebars template: Parse error on line 1 (check that each {{ is closed by }} and each {{#block}} by {{/block}})',
      `rhythm.yml:13:15 signups.labs.template names "templates/nowhere.md.hbs", which is not a file (paths are relative to the config file's folder)`,
    ],
  },
  {
    name: 'a country code in lower case',
    text: `${head}signups:\n  project: a/content\n  holidays: us\n`,
    errors: ['rhythm.yml:11:13 signups.holidays must be a two-letter country code such as US (got "us")'],
  },
  {
    name: 'a signups board without a signups block, and a second one',
    text: `${head}  - { kind: signups, name: content, project: a/content }\n  - { kind: signups, name: content-2, project: a/content }\n`,
    errors: [
      'rhythm.yml:9:5 boards[1] is a signups board, but there is no signups block saying what to open; add one or remove this board',
      'rhythm.yml:10:5 boards[2] is a second signups board (the first is boards[1]); there can be at most one',
    ],
  },
  {
    name: 'a signups board on another project than the signups block',
    text: `${head}  - { kind: signups, name: content, project: a/elsewhere }\nsignups:\n  project: a/content\n`,
    errors: ['rhythm.yml:9:46 boards[1].project must be the same as signups.project (a/content)'],
  },
  {
    name: 'two signups blocks',
    text: `${head}signups:\n  project: a/content\nsignups:\n  project: a/other\n`,
    errors: ['rhythm.yml:11:1 "signups" appears twice in the same map; a key may appear only once'],
  },
  {
    name: 'an unclosed quote',
    text: `${head}timezone: "America/Los_Angeles\n`,
    errors: ['rhythm.yml:10:1 YAML syntax error: Missing closing "quote'],
  },
  {
    name: 'an empty file',
    text: `# nothing here yet\n`,
    errors: ['rhythm.yml:1:1 the file is empty; it needs at least a gitlab block and a board or signups block'],
  },
];

describe('a bad rhythm.yml gives one line per problem, place first', () => {
  it.each(cases)('$name', ({ text, errors }) => {
    const result = loadConfigText(text, 'rhythm.yml', env);
    expect(result.ok ? [] : result.errors).toEqual(errors);
  });

  it('reports every problem at once, in file order', () => {
    const text = `${head}    rules:\n      moderator: { mode: warn }\n      dueDate: { mode: nope }\ntimezone: Nowhere/Special\n`;
    const result = loadConfigText(text, 'team/rhythm.yml', env);
    expect(result.ok ? [] : result.errors).toEqual([
      'team/rhythm.yml:10:26 boards[0].rules.moderator.mode must be one of: comment, fix, revert (got "warn")',
      'team/rhythm.yml:11:24 boards[0].rules.dueDate.mode must be one of: comment, fix, revert (got "nope")',
      'team/rhythm.yml:12:11 timezone must be an IANA time zone such as America/Los_Angeles (got "Nowhere/Special")',
    ]);
  });
});
