// The JSON Schema of rhythm.yml, the one place it is written. schemas/config.schema.json (what
// editors read through the first line of rhythm.yml) is generated from it by `npm run schemas`,
// and the types in types.ts are derived from it, so neither can drift from what ajv enforces.
// Descriptions are what editors show on hover: write them for the person editing the file.
import { USERNAME_PATTERN } from '../markdown/username.js';

/** What every rule's setting says: whether it runs, and in which mode (the template rule says more). */
const ruleSettingProperties = {
  enabled: {
    description: 'Whether the rule runs at all.',
    type: 'boolean',
    default: true,
  },
  mode: {
    description:
      'What the bot does when the rule finds a problem: comment (explain only), fix (make the safe fix and say so), revert (undo the invalid move and say why).',
    $ref: '#/$defs/ruleMode',
    default: 'comment',
  },
} as const;

/** gitlab.createsPerMinute when rhythm.yml leaves it out: below GitLab.com's 60 notes and 200 issues a minute. */
export const CREATES_PER_MINUTE = { notes: 50, issues: 150 } as const;

export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:rhythm:schema:config',
  title: 'Rhythm configuration (rhythm.yml)',
  description:
    'What Rhythm watches and enforces: the GitLab it talks to, the boards it keeps, and the monthly sign-up calendars it opens issues for. Strings may use ${VAR} or ${VAR:-default} to read the environment; secrets must.',
  type: 'object',
  additionalProperties: false,
  required: ['gitlab'],
  properties: {
    gitlab: {
      description: 'How Rhythm reaches GitLab. May be left out when GITLAB_URL and GITLAB_TOKEN are set.',
      type: 'object',
      additionalProperties: false,
      required: ['url', 'token'],
      properties: {
        url: {
          description: 'Base URL of the GitLab instance, without /api/v4. The GITLAB_URL environment variable overrides it.',
          type: 'string',
          format: 'uri',
          pattern: '^https?://',
        },
        token: {
          description:
            'Access token of the bot user. Must be written as ${GITLAB_TOKEN} (or another ${VAR}), never literally. Taken from GITLAB_TOKEN when left out.',
          type: 'string',
          minLength: 1,
        },
        botUsername: {
          description: "Username of the bot's GitLab account; its own notes and label changes are recognised by it.",
          type: 'string',
          // GitLab's own username grammar, the one src/markdown reads mentions with.
          pattern: USERNAME_PATTERN,
          default: 'rhythm-bot',
        },
        createsPerMinute: {
          description:
            "How many notes and issues Rhythm creates a minute at most, to stay below GitLab's application rate limits on creating them (per user; a refusal is a 429 without RateLimit headers). GitLab.com allows 60 notes and 200 issues a minute; self-managed GitLab 300 of each unless an admin changes them. Left out, 50 notes and 150 issues: room for the bot's other processes (a scheduled `rhythm sweep` beside `rhythm serve`). 0 turns the pacing off for that kind; a refusal is still waited out and the create sent again.",
          type: 'object',
          additionalProperties: false,
          properties: {
            notes: {
              description: "Notes created a minute at most (GitLab's notes_create limit: 60 on GitLab.com).",
              type: 'integer',
              minimum: 0,
              default: CREATES_PER_MINUTE.notes,
            },
            issues: {
              description: "Issues created a minute at most (GitLab's issues_create limit: 200 on GitLab.com, per project).",
              type: 'integer',
              minimum: 0,
              default: CREATES_PER_MINUTE.issues,
            },
          },
        },
      },
    },
    timezone: {
      description:
        "The team's IANA time zone (e.g. America/Los_Angeles). Calendar dates such as 'today' and due dates are judged in it, and sessions without their own timezone use it.",
      type: 'string',
      default: 'UTC',
    },
    dryRun: {
      description: 'When true, Rhythm writes nothing to GitLab anywhere and logs every write it would have made.',
      type: 'boolean',
      default: false,
    },
    onboarding: {
      description:
        'When true (the default), the first time Rhythm meets a board it opens one onboarding issue there listing, per card, what it found and what it would say, and keeps it up to date until a person closes it or no card is left on it. false skips that issue. Either way Rhythm records when it first met the board (its baseline): moves made before it are never reverted, and cards nobody has changed since get no note. A board can say it too. Left out: true.',
      type: 'boolean',
    },
    sweep: {
      description: 'The periodic sweep that re-checks every open card, catching events GitLab never delivered.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        intervalMinutes: {
          description:
            'Minutes between sweeps while `rhythm serve` runs; 0 turns the timer off (a scheduled pipeline can run `rhythm sweep` instead).',
          type: 'integer',
          minimum: 0,
          default: 60,
        },
        fullEveryHours: {
          description:
            'Hours between full sweeps, which re-read every open card whatever Rhythm remembers of it (the other sweeps list only the cards changed since the last one). 0: no sweep is ever full on its own account (`rhythm sweep --full` still is); Rhythm still lists a board in full when it has no sweep mark yet or lost remembered cards.',
          type: 'integer',
          minimum: 0,
          default: 24,
        },
      },
    },
    boards: {
      description: 'The boards Rhythm keeps, one entry per GitLab project board.',
      type: 'array',
      default: [],
      items: { $ref: '#/$defs/board' },
    },
    signups: {
      description: 'Monthly sign-up issues for webinars and hands-on labs, opened from a calendar. Leave out to open none.',
      type: 'object',
      additionalProperties: false,
      required: ['project'],
      properties: {
        project: {
          description:
            'Path of the project the sign-up issues are opened in, e.g. gitlab-com/customer-success/customer-success-engineering/content.',
          $ref: '#/$defs/projectPath',
        },
        webinars: {
          description: 'The webinar calendar and its monthly sign-up issue. Left out: no webinar issue.',
          $ref: '#/$defs/webinarCalendar',
          default: { enabled: false },
        },
        labs: {
          description: "The hands-on lab calendar and its monthly sign-up issue (separate from the webinars'). Left out: no lab issue.",
          $ref: '#/$defs/labCalendar',
          default: { enabled: false },
        },
        reminders: {
          description: 'Reminders posted once on the sign-up issue before a session.',
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            noDriDaysBefore: {
              description: 'Days before a session with no DRI signed up to ask for one (0 = off).',
              type: 'integer',
              minimum: 0,
              default: 10,
            },
            labEnvironmentDaysBefore: {
              description: 'Days before a lab to remind its DRI to submit the lab environment request (0 = off).',
              type: 'integer',
              minimum: 0,
              default: 7,
            },
            webinarMp4BusinessDaysBefore: {
              description: 'Business days before a webinar to remind its host to download the recording MP4 (0 = off).',
              type: 'integer',
              minimum: 0,
              default: 2,
            },
          },
        },
        holidays: {
          description: 'Two-letter country code (e.g. US) whose public holidays are not business days; weekends never are.',
          type: 'string',
          pattern: '^[A-Z]{2}$',
        },
      },
    },
    programs: {
      description: 'Program plans opened as issues and followed by the bot (the CSM internship and accreditation). Leave out for none.',
      $ref: '#/$defs/programs',
    },
  },
  $defs: {
    // --- Program plans (src/handlers/program) ---
    programs: {
      description:
        'Program plans (the CSM internship, the CSM accreditation, or your own): `rhythm program open <name>` opens one from its template, an issue labelled program::<name> gets it written in, and the bot follows it. Leave out for none.',
      type: 'object',
      additionalProperties: false,
      required: ['project'],
      properties: {
        project: {
          description: 'Path of the project the plans live in (issues opened there, and labelled issues watched there).',
          $ref: '#/$defs/projectPath',
        },
        plans: {
          description: 'The programs, each with a unique name; the label program::<name> opens one.',
          type: 'array',
          items: { $ref: '#/$defs/program' },
          default: [],
        },
      },
    },
    program: {
      description: 'One program: who takes part, its checklist before the start, its weeks or its courses, and the template of its issue.',
      type: 'object',
      additionalProperties: false,
      required: ['name', 'title', 'template', 'people'],
      properties: {
        name: {
          description:
            'The program\'s name (lower-case letters, digits, dashes; not "done"): `rhythm program open <name>` and the label program::<name>.',
          $ref: '#/$defs/boardName',
          not: { const: 'done' },
        },
        title: {
          description: "Handlebars template of the issue title; {{<role>}} is a person's username, {{start}} the start date.",
          type: 'string',
          minLength: 1,
        },
        template: {
          description: 'Path of the Handlebars template of the plan, relative to this file (e.g. templates/program-internship.md.hbs).',
          type: 'string',
          minLength: 1,
        },
        people: {
          description:
            'The roles of the people in the plan, e.g. [intern, mentor]. Each is a flag of `rhythm program open` (--intern @x) and a line of a labelled issue (Intern: @x); the nudges mention them.',
          type: 'array',
          items: { $ref: '#/$defs/boardName' },
          minItems: 1,
          uniqueItems: true,
        },
        before: {
          description: 'The checklist to tick before the start (e.g. the pre-internship tasks).',
          type: 'array',
          items: { type: 'string', minLength: 1 },
          default: [],
        },
        weeks: {
          description:
            "One entry per week, counted from the start date (needs --start, or a Start: line): week n runs from start + 7(n-1) days for 7 days, in the team's time zone. A week that ends with boxes unticked gets one nudge to the people.",
          type: 'array',
          items: { $ref: '#/$defs/programWeek' },
          default: [],
        },
        courses: {
          description: 'Courses, each with its boxes (courseBoxes); a course whose boxes are all ticked earns its badge.',
          type: 'array',
          items: { $ref: '#/$defs/programCourse' },
          default: [],
        },
        courseBoxes: {
          description: 'The boxes of every course.',
          type: 'array',
          items: { type: 'string', minLength: 1 },
          minItems: 1,
          default: ['Written exam passed', 'Practical assessment passed'],
        },
      },
    },
    programWeek: {
      description: "One week of a program: its theme and the week's boxes.",
      type: 'object',
      additionalProperties: false,
      required: ['title', 'tasks'],
      properties: {
        title: { description: "The week's theme, shown after 'Week n'.", type: 'string', minLength: 1 },
        tasks: { description: "The week's boxes.", type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
      },
    },
    programCourse: {
      description: 'One course of a program, with its badge.',
      type: 'object',
      additionalProperties: false,
      required: ['title'],
      properties: {
        title: { description: "The course's name.", type: 'string', minLength: 1 },
        url: { description: 'Where the course is taken, when it has a page.', type: 'string', format: 'uri', pattern: '^https?://' },
        topics: {
          description: 'What the course covers, shown under its name.',
          type: 'array',
          items: { type: 'string', minLength: 1 },
          default: [],
        },
      },
    },
    projectPath: {
      description: 'A GitLab project path: group(s) and project separated by slashes.',
      type: 'string',
      pattern: '^[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$',
    },
    boardName: {
      description: "Short name of a board, used in logs and in the bot's hidden markers.",
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]*$',
    },
    // --- Calendar feed (src/handlers/calendar) ---
    boardId: {
      description:
        "The board's id in URLs: its calendar feed is GET /calendar/<id>.ics. Left out: the board's name. Set it to keep subscribers' URLs when the name changes; unique among boards.",
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]*$',
    },
    boardCalendar: {
      description:
        "The board's calendar feed: GET /calendar/<id>.ics on `rhythm serve`, and `rhythm calendar --board <id> --out FILE`. One event per scheduled card (or, for the signups board, per webinar and lab of the sign-up calendars).",
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: {
          description: 'Whether the feed is served and written.',
          type: 'boolean',
          default: true,
        },
        sessionTime: {
          description:
            "Local start time HH:MM of a card's session on its due date, in the team's time zone. Left out: each card is an all-day event on its due date.",
          $ref: '#/$defs/localTime',
        },
        durationMinutes: {
          description: "Length of a card's session in minutes (with sessionTime).",
          type: 'integer',
          minimum: 1,
          default: 60,
        },
        token: {
          description:
            'A secret the feed URL must carry (?token=…) for a private feed. Like every secret, written as exactly one ${VAR} (e.g. ${RHYTHM_CALENDAR_TOKEN}), never literally. Left out: the feed is public.',
          type: 'string',
          minLength: 1,
        },
        cacheSeconds: {
          description:
            'Seconds `rhythm serve` keeps a built feed, so a busy calendar client does not cost GitLab calls per request (0 = no cache).',
          type: 'integer',
          minimum: 0,
          default: 60,
        },
        cancelledDays: {
          description:
            'Days after its last change a card that left the scheduled column or was closed still appears, as a cancelled event, so subscribed calendars drop it.',
          type: 'integer',
          minimum: 0,
          default: 60,
        },
      },
    },
    ruleMode: {
      description:
        'What the bot does when the rule finds a problem: comment (explain only), fix (make the safe fix and say so), revert (undo the invalid move and say why).',
      type: 'string',
      enum: ['comment', 'fix', 'revert'],
    },
    board: {
      description: 'A board Rhythm keeps; `kind` says which workflow it follows.',
      type: 'object',
      required: ['kind'],
      properties: {
        kind: {
          description: 'Which workflow the board follows.',
          type: 'string',
          enum: ['skills-exchange', 'signups'],
        },
      },
      discriminator: { propertyName: 'kind' },
      oneOf: [{ $ref: '#/$defs/skillsExchangeBoard' }, { $ref: '#/$defs/signupsBoard' }],
    },
    ruleSetting: {
      description: 'Whether a rule runs and how it acts.',
      type: 'object',
      additionalProperties: false,
      properties: ruleSettingProperties,
    },
    skillsExchangeBoard: {
      description:
        'A Skills Exchange board: backlog, status:plan and status:scheduled columns; each card is a session with a speaker, a moderator and a date.',
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'name', 'project', 'handbookUrl'],
      properties: {
        kind: {
          description: 'Always skills-exchange for this kind of board.',
          const: 'skills-exchange',
        },
        name: {
          description:
            "Short name of the board (lower-case letters, digits, dashes), used in logs and in the bot's hidden markers; unique among boards.",
          $ref: '#/$defs/boardName',
        },
        id: {
          description: "The board's id in its calendar feed's URL (/calendar/<id>.ics). Left out: the board's name.",
          $ref: '#/$defs/boardId',
        },
        calendar: {
          description: "The board's calendar feed (iCalendar), served at /calendar/<id>.ics and written by `rhythm calendar`.",
          $ref: '#/$defs/boardCalendar',
          default: {},
        },
        project: {
          description: 'Path of the project whose issue board this is, e.g. gitlab-com/sales-team/cs-skills-exchange.',
          $ref: '#/$defs/projectPath',
        },
        dryRun: {
          description: 'When true, nothing is written for this board; every intended write is logged.',
          type: 'boolean',
          default: false,
        },
        onboarding: {
          description:
            "This board's onboarding issue (see the top-level onboarding): false skips it, true opens it even when the top level says false. Left out, the top level decides. The baseline protects the board's past either way.",
          type: 'boolean',
        },
        labels: {
          description: "The scoped labels that make the board's columns.",
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            plan: {
              description: 'Label of the planning column.',
              type: 'string',
              minLength: 1,
              default: 'status:plan',
            },
            scheduled: {
              description: 'Label of the scheduled column, kept in due-date order.',
              type: 'string',
              minLength: 1,
              default: 'status:scheduled',
            },
          },
        },
        rules: {
          description: 'The checks run on every card, each with its own mode.',
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            moderator: {
              description:
                'A scheduled card names exactly one moderator in a `Moderator: @username` line, who is a real user, is assigned, and is not the speaker. Fix mode assigns the named moderator.',
              $ref: '#/$defs/ruleSetting',
              default: {},
            },
            assignees: {
              description: 'A card in planning or scheduled has at least one assignee (the speaker).',
              $ref: '#/$defs/ruleSetting',
              default: {},
            },
            dueDate: {
              description: 'A scheduled card has a due date that is not in the past.',
              $ref: '#/$defs/ruleSetting',
              default: {},
            },
            transition: {
              description:
                'A card reaches scheduled only from planning, and never carries both status labels. Revert mode puts it back in planning.',
              $ref: '#/$defs/ruleSetting',
              default: {},
            },
            template: {
              description: "The request template's required sections are present and filled in.",
              $ref: '#/$defs/templateRuleSetting',
              default: {},
            },
            conflict: {
              description: 'Two scheduled sessions on the same date get a warning on both.',
              $ref: '#/$defs/ruleSetting',
              default: {},
            },
          },
        },
        order: {
          description: 'Keeping the scheduled column in due-date order (earliest first, ties by lower iid) with the fewest moves.',
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: {
              description: 'Whether Rhythm reorders the scheduled column.',
              type: 'boolean',
              default: true,
            },
            debounceMs: {
              description: 'Milliseconds to wait after a change before reordering, so a burst of edits gives one reorder.',
              type: 'integer',
              minimum: 0,
              default: 2000,
            },
          },
        },
        reminders: {
          description: 'Reminders to the speaker and moderator around the session date.',
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            beforeDays: {
              description: 'Days before the due date to remind speaker and moderator (0 = off).',
              type: 'integer',
              minimum: 0,
              default: 2,
            },
            afterUntilRecording: {
              description: 'After the date, remind until a recording link is in the issue.',
              type: 'boolean',
              default: true,
            },
          },
        },
        handbookUrl: {
          description: "The team's handbook page for this board; the 'why' links in the bot's note point here.",
          type: 'string',
          format: 'uri',
          pattern: '^https?://',
        },
        dashboard: {
          description: "The board's dashboard issue, kept by the bot. Left out: no dashboard.",
          $ref: '#/$defs/dashboard',
        },
        chat: {
          description: 'Chat notices for this board through a Slack-compatible incoming webhook (Slack, Mattermost). Left out: none.',
          $ref: '#/$defs/chat',
        },
      },
    },
    chat: {
      description:
        'Notices in a chat channel: a card scheduled, a recording posted, a session next week without a moderator or DRI, and a weekly digest. Each is sent once (remembered in the database), by `rhythm serve`; confidential cards never appear.',
      type: 'object',
      additionalProperties: false,
      properties: {
        webhookUrl: {
          description:
            "The channel's incoming webhook URL (Slack, or Mattermost: the same JSON). A secret: write ${SLACK_WEBHOOK_URL:-} so it comes from the environment; empty sends nothing. Never logged.",
          type: 'string',
          default: '',
        },
        timeoutSeconds: {
          description: 'How long one post may take before it is tried again.',
          type: 'integer',
          minimum: 1,
          maximum: 60,
          default: 10,
        },
        soonDays: {
          description: 'A session this many days ahead or fewer without a moderator (or DRI) gets a notice.',
          type: 'integer',
          minimum: 1,
          default: 7,
        },
      },
    },
    dashboard: {
      description:
        "One issue the bot owns per board (like Renovate's Dependency Dashboard), found again by a hidden marker and edited in place: the next weeks of the series, the cards waiting on something, and for a sign-up board next month's sessions without a DRI. Refreshed after card changes and on every sweep; nothing is written when nothing changed.",
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: {
          description: 'Whether the dashboard issue is kept.',
          type: 'boolean',
          default: true,
        },
        title: {
          description: 'Title of the dashboard issue; must contain the word Dashboard.',
          type: 'string',
          pattern: 'Dashboard',
          default: 'Rhythm Dashboard',
        },
        weeks: {
          description: 'How many weeks ahead the dashboard shows, one line per week, starting with this week.',
          type: 'integer',
          minimum: 1,
          maximum: 26,
          default: 8,
        },
        debounceMs: {
          description: 'Milliseconds to wait after a card change before refreshing, so a burst of edits gives one refresh.',
          type: 'integer',
          minimum: 0,
          default: 10000,
        },
      },
    },
    templateRuleSetting: {
      description: 'The template rule: which Markdown sections a request must fill in.',
      type: 'object',
      additionalProperties: false,
      properties: {
        ...ruleSettingProperties,
        required: {
          description: 'Headings (text only, without #) that must be present and filled in.',
          type: 'array',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
          default: ['Topic', 'Why is this valuable', 'Speaker'],
        },
        optional: {
          description: 'Headings that may be present; the note mentions them.',
          type: 'array',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
          default: ['Audience', 'Links'],
        },
        needsInfoLabel: {
          description:
            'Label the bot adds while required sections are missing and removes once they are filled in, in fix or revert mode (a label is a write; in comment mode the bot only explains, and sets no label). Leave out for no label.',
          type: 'string',
          minLength: 1,
        },
      },
    },
    signupsBoard: {
      description: 'The board of the sign-up project; the calendar itself lives in the top-level signups block.',
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'name', 'project'],
      properties: {
        kind: {
          description: 'Always signups for this kind of board.',
          const: 'signups',
        },
        name: {
          description:
            "Short name of the board (lower-case letters, digits, dashes), used in logs and in the bot's hidden markers; unique among boards.",
          $ref: '#/$defs/boardName',
        },
        id: {
          description: "The board's id in its calendar feed's URL (/calendar/<id>.ics). Left out: the board's name.",
          $ref: '#/$defs/boardId',
        },
        calendar: {
          description: "The board's calendar feed (iCalendar), served at /calendar/<id>.ics and written by `rhythm calendar`.",
          $ref: '#/$defs/boardCalendar',
          default: {},
        },
        project: {
          description: 'Path of the sign-up project; must be the same as signups.project.',
          $ref: '#/$defs/projectPath',
        },
        dryRun: {
          description: 'When true, nothing is written for this board; every intended write is logged.',
          type: 'boolean',
          default: false,
        },
        dashboard: {
          description: "The board's dashboard issue, kept by the bot. Left out: no dashboard.",
          $ref: '#/$defs/dashboard',
        },
        chat: {
          description: 'Chat notices for this board through a Slack-compatible incoming webhook (Slack, Mattermost). Left out: none.',
          $ref: '#/$defs/chat',
        },
      },
    },
    calendarLabels: {
      description: 'Labels put on the sign-up issue.',
      type: 'array',
      items: { type: 'string', minLength: 1 },
      uniqueItems: true,
      default: ['cse-events::sign-up'],
    },
    webinarCalendar: {
      description: 'A calendar of webinars and its monthly sign-up issue.',
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: {
          description: 'Whether the monthly issue is opened.',
          type: 'boolean',
          default: true,
        },
        title: {
          description: "Handlebars template for the issue title; {{monthName}} is the month's name.",
          type: 'string',
          minLength: 1,
          default: 'Webinar DRI sign-up: {{monthName}}',
        },
        labels: {
          description: 'Labels put on the sign-up issue.',
          $ref: '#/$defs/calendarLabels',
          default: ['cse-events::sign-up'],
        },
        template: {
          description:
            'Path of a Handlebars template for the issue body, relative to this file. Left out: the shipped templates/webinar-signup.md.hbs.',
          type: 'string',
          minLength: 1,
        },
        sessions: {
          description: 'The webinar series and one-off webinars of each month.',
          type: 'array',
          items: { $ref: '#/$defs/webinarSession' },
          default: [],
        },
      },
    },
    labCalendar: {
      description: 'A calendar of hands-on labs and its monthly sign-up issue.',
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: {
          description: 'Whether the monthly issue is opened.',
          type: 'boolean',
          default: true,
        },
        title: {
          description: "Handlebars template for the issue title; {{monthName}} is the month's name.",
          type: 'string',
          minLength: 1,
          default: 'Hands-on lab DRI sign-up: {{monthName}}',
        },
        labels: {
          description: 'Labels put on the sign-up issue.',
          $ref: '#/$defs/calendarLabels',
          default: ['cse-events::sign-up'],
        },
        template: {
          description:
            'Path of a Handlebars template for the issue body, relative to this file. Left out: the shipped templates/lab-signup.md.hbs.',
          type: 'string',
          minLength: 1,
        },
        sessions: {
          description: 'The lab series and one-off labs of each month.',
          type: 'array',
          items: { $ref: '#/$defs/labSession' },
          default: [],
        },
      },
    },
    rrule: {
      description: 'An RFC 5545 recurrence rule without DTSTART, e.g. FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2 (the second Tuesday).',
      type: 'string',
      minLength: 1,
    },
    localTime: {
      description: 'A local time HH:MM (24-hour).',
      type: 'string',
      pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
    },
    localDateTime: {
      description: 'A local date and time YYYY-MM-DDTHH:MM.',
      type: 'string',
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]$',
    },
    webinarSession: {
      description: 'One webinar series (rrule and time) or one-off webinars (dates), in one region.',
      type: 'object',
      additionalProperties: false,
      required: ['title', 'region'],
      dependentRequired: { rrule: ['time'], time: ['rrule'] },
      properties: {
        title: {
          description: 'Name of the session as it appears in the sign-up table.',
          type: 'string',
          minLength: 1,
        },
        region: {
          description: 'Region the session is for, e.g. AMER, EMEA or APAC.',
          type: 'string',
          minLength: 1,
        },
        timezone: {
          description: "IANA time zone of the session's local time. Left out: the top-level timezone.",
          type: 'string',
        },
        rrule: {
          description:
            'An RFC 5545 recurrence rule without DTSTART, e.g. FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2 (the second Tuesday). Needs time.',
          $ref: '#/$defs/rrule',
        },
        time: {
          description: "Local start time HH:MM (24-hour) of the rule's sessions.",
          $ref: '#/$defs/localTime',
        },
        dates: {
          description: "One-off sessions, as local date-times YYYY-MM-DDTHH:MM in the session's timezone.",
          type: 'array',
          items: { $ref: '#/$defs/localDateTime' },
          uniqueItems: true,
          default: [],
        },
        skip: {
          description: "Local dates YYYY-MM-DD on which the rule's session does not take place.",
          type: 'array',
          items: { type: 'string', format: 'date' },
          uniqueItems: true,
          default: [],
        },
        durationMinutes: {
          description: 'Length of the session in minutes.',
          type: 'integer',
          minimum: 1,
          default: 60,
        },
        registrationUrl: {
          description: 'Where attendees register, when known; shown in the sign-up table.',
          type: 'string',
          format: 'uri',
          pattern: '^https?://',
        },
      },
    },
    labSession: {
      description: 'One lab series (rrule and time) or one-off labs (dates), in one region.',
      type: 'object',
      additionalProperties: false,
      required: ['title', 'region'],
      dependentRequired: { rrule: ['time'], time: ['rrule'] },
      properties: {
        title: {
          description: 'Name of the lab as it appears in the sign-up table.',
          type: 'string',
          minLength: 1,
        },
        region: {
          description: 'Region the lab is for, e.g. AMER, EMEA or APAC.',
          type: 'string',
          minLength: 1,
        },
        timezone: {
          description: "IANA time zone of the lab's local time. Left out: the top-level timezone.",
          type: 'string',
        },
        rrule: {
          description:
            'An RFC 5545 recurrence rule without DTSTART, e.g. FREQ=MONTHLY;BYDAY=TH;BYSETPOS=3 (the third Thursday). Needs time.',
          $ref: '#/$defs/rrule',
        },
        time: {
          description: "Local start time HH:MM (24-hour) of the rule's labs.",
          $ref: '#/$defs/localTime',
        },
        dates: {
          description: "One-off labs, as local date-times YYYY-MM-DDTHH:MM in the lab's timezone.",
          type: 'array',
          items: { $ref: '#/$defs/localDateTime' },
          uniqueItems: true,
          default: [],
        },
        skip: {
          description: "Local dates YYYY-MM-DD on which the rule's lab does not take place.",
          type: 'array',
          items: { type: 'string', format: 'date' },
          uniqueItems: true,
          default: [],
        },
        durationMinutes: {
          description: 'Length of the lab in minutes.',
          type: 'integer',
          minimum: 1,
          default: 60,
        },
        registrationUrl: {
          description: 'Where attendees register, when known; shown in the sign-up table.',
          type: 'string',
          format: 'uri',
          pattern: '^https?://',
        },
        accessDays: {
          description: 'Days attendees keep access to the lab environment (2 or 4, depending on the lab).',
          type: 'integer',
          enum: [2, 4],
        },
      },
    },
  },
} as const;
