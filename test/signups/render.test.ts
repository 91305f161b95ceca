import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionsIn } from '../../src/signups/calendar.js';
import { parseClaims } from '../../src/signups/claims.js';
import { renderSignup, SignupTemplateError, type SignupRenderInput } from '../../src/signups/render.js';
import { calendar, LABS, REMINDERS, series, WEBINARS } from './calendars.js';

const dir = mkdtempSync(join(tmpdir(), 'rhythm-signup-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(kind: 'webinars' | 'labs', cal = kind === 'labs' ? LABS : WEBINARS, month = '2026-12'): SignupRenderInput {
  return {
    kind,
    month,
    calendar: cal,
    sessions: sessionsIn(cal, kind === 'labs' ? 'lab' : 'webinar', month),
    reminders: REMINDERS,
    configDir: dir,
  };
}

describe('renderSignup with the shipped templates', () => {
  it('opens the webinar issue with its marker, one block per session, and the host checklist', () => {
    const r = renderSignup(input('webinars'));
    expect(r.title).toBe('DRI sign-up: December 2026');
    expect(r.labels).toEqual(['cse-events::sign-up']);
    const lines = r.description.split('\n');
    expect(lines[0]).toBe('<!-- rhythm:signup:webinars:2026-12 -->');
    expect(lines.at(-1)).toMatch(/^<!-- rhythm:signup-version:[0-9a-f]{16} -->$/);
    expect(r.sessions.map((s) => s.id)).toEqual([
      '2026-12-01-apac-security-scanning',
      '2026-12-08-amer-advanced-ci',
      '2026-12-09-emea-advanced-ci',
    ]);
    expect(r.description).toContain('### Tue 8 Dec 2026 · AMER · Advanced CI');
    expect(r.description).toContain('- When: 09:00 America/Los\\_Angeles (17:00 UTC), 60 minutes');
    expect(r.description).toContain('- When: 09:00 Australia/Sydney (Mon 30 Nov 22:00 UTC), 60 minutes');
    expect(r.description).toContain('- Registration: <https://example.com/register/advanced-ci-amer>');
    expect(r.description).toContain('- [ ] DRI: <!-- rhythm:dri:2026-12-08-amer-advanced-ci -->');
    expect(r.description).toContain(
      '- [ ] MP4 downloaded (by Fri 4 Dec 2026) <!-- rhythm:check:webinar-mp4:2026-12-08-amer-advanced-ci -->',
    );
    expect(r.description).toMatch(/two business days|2 business days/);
    expect(r.description).toMatch(/10 minutes before/);
    expect(r.description).toMatch(/feedback poll/i);
  });

  it('titles each lab deck <Lab Name> - <Region> - <Date> and shows access days', () => {
    const r = renderSignup(input('labs'));
    expect(r.description).toContain('<!-- rhythm:signup:labs:2026-12 -->');
    expect(r.description).toContain('- Deck title: Security and Compliance - EMEA - 2026-12-03');
    expect(r.description).toContain('- Deck title: Hands-on GitLab CI - AMER - 2026-12-17');
    expect(r.description).toContain('- Attendees keep lab access for: 4 days');
    expect(r.description).toContain(
      '- [ ] Lab environment requested (by Thu 26 Nov 2026) <!-- rhythm:check:lab-environment:2026-12-03-emea-security-and-compliance -->',
    );
    expect(r.description).toMatch(/Demo Architect portal/);
    expect(r.description).toMatch(/paste-notes/i);
    expect(r.description).toMatch(/10 minutes before/);
  });

  it('renders the same text twice for the same calendar', () => {
    expect(renderSignup(input('labs')).description).toBe(renderSignup(input('labs')).description);
  });

  it('renders an empty month as an issue with no sessions', () => {
    const r = renderSignup(input('webinars', calendar([])));
    expect(r.description).toMatch(/no sessions in December 2026/);
    expect(parseClaims(r.description, []).sessions).toEqual([]);
  });

  it('turns config text into plain text: no mentions, no quick actions, no fake markers', () => {
    const evil = calendar([
      series({
        title: '/close @all <!-- rhythm:dri:2026-12-01-x --> **bold** [link](javascript:alert(1))',
        region: '@channel\n/label ~x',
        timezone: 'UTC',
        dates: ['2026-12-01T09:00'],
        registrationUrl: 'javascript:alert(1)',
      }),
    ]);
    const r = renderSignup(input('webinars', evil));
    for (const line of r.description.split('\n')) expect(line).not.toMatch(/^\s*\//);
    expect(r.description).not.toMatch(/(?<![\w])@(all|channel)\b/);
    expect(r.description).not.toContain('**bold**');
    expect(r.description).not.toMatch(/(?<!\\)\]\(javascript:/); // the text stays, as text, not a link
    expect(r.description).not.toContain('<javascript:');
    expect(r.description).toContain('Registration: not published yet');
    const claims = parseClaims(r.description, r.sessions);
    expect(claims.problems).toEqual([]);
    expect(claims.sessions.map((c) => c.sessionId)).toEqual(r.sessions.map((s) => s.id));
  });
});

describe('renderSignup with a team template', () => {
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const block =
    '{{#each sessions}}\n{{begin}}\n{{title}}\n{{dri}}\n{{#each checks}}\n{{this}}\n{{/each}}\n{{end}}\n{{/each}}\n{{sessionsEnd}}\n';

  it('reads calendar.template relative to the config directory', () => {
    const template = write('ours.md.hbs', `Our own words for {{monthName}}.\n${block}`);
    const r = renderSignup(input('webinars', { ...WEBINARS, template }));
    expect(r.description).toContain('Our own words for December 2026.');
    expect(r.description).toContain('- [ ] DRI: <!-- rhythm:dri:2026-12-08-amer-advanced-ci -->');
  });

  it.each([
    ['a field that does not exist', `{{nope}}\n${block}`, /"nope" not defined/],
    ['a syntax error', `{{#each sessions}}\n${block}`, /ours-bad/],
    [
      'no DRI line',
      '{{#each sessions}}\n{{begin}}\n{{end}}\n{{/each}}\n{{sessionsEnd}}',
      /rhythm:dri:2026-12-08-amer-advanced-ci --> once, found it 0 times/,
    ],
    ['no end of the session list', block.replace('{{sessionsEnd}}\n', ''), /sessionsEnd/],
    ['a line that GitLab would run as a quick action', `/assign @alice\n${block}`, /line 3 starts with "\/"/],
  ])('fails before anything is sent on %s', (_name, text, message) => {
    const template = write('ours-bad.md.hbs', text);
    const run = () => renderSignup(input('webinars', { ...WEBINARS, template }));
    expect(run).toThrow(SignupTemplateError);
    expect(run).toThrow(message);
  });

  it('names a template file that is not there', () => {
    const run = () => renderSignup(input('labs', { ...LABS, template: 'missing.md.hbs' }));
    expect(run).toThrow(/cannot read template .*missing\.md\.hbs: ENOENT/);
  });

  it('names the title template when the title is broken', () => {
    const run = () => renderSignup(input('labs', { ...LABS, title: 'Labs {{month' }));
    expect(run).toThrow(/signups\.labs\.title/);
  });
});
