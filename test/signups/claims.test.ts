import { describe, expect, it } from 'vitest';
import { sessionsIn } from '../../src/signups/calendar.js';
import { parseClaims, type ClaimProblem } from '../../src/signups/claims.js';
import { renderSignup } from '../../src/signups/render.js';
import { LABS, REMINDERS } from './calendars.js';

const rendered = renderSignup({
  kind: 'labs',
  month: '2026-12',
  calendar: LABS,
  sessions: sessionsIn(LABS, 'lab', '2026-12'),
  reminders: REMINDERS,
  configDir: '.',
});
const EMEA = '2026-12-03-emea-security-and-compliance';
const AMER = '2026-12-17-amer-hands-on-gitlab-ci';
const slot = (id: string) => `- [ ] DRI: <!-- rhythm:dri:${id} -->`;

/** The shipped issue text with one DRI line replaced, the way a person edits it. */
function withLine(id: string, line: string): string {
  expect(rendered.description).toContain(slot(id));
  return rendered.description.replace(slot(id), line);
}

describe('parseClaims', () => {
  it('finds no DRI and no problem in a fresh issue', () => {
    const claims = parseClaims(rendered.description, rendered.sessions);
    expect(claims.problems).toEqual([]);
    expect(claims.sessions.map((c) => [c.sessionId, c.dri, c.removed])).toEqual([
      [EMEA, null, false],
      [AMER, null, false],
    ]);
    expect(claims.sessions[0]?.checks).toEqual({
      'lab-environment': false,
      deck: false,
      codes: false,
      'run-through': false,
      'paste-notes': false,
    });
  });

  it.each<[string, string, string | null, ClaimProblem[]]>([
    ['alice writes her name and ticks the box', `- [x] DRI: @alice <!-- rhythm:dri:${EMEA} -->`, 'alice', []],
    ['alice writes her name after the hidden comment', `- [ ] DRI: <!-- rhythm:dri:${EMEA} --> @alice`, 'alice', []],
    ['a capital X and a note after the name', `- [X] DRI: @alice.smith (back-up welcome) <!-- rhythm:dri:${EMEA} -->`, 'alice.smith', []],
    ['a bold key and a trailing full stop', `- [ ] **DRI:** @bob. <!-- rhythm:dri:${EMEA} -->`, 'bob', []],
    ['the same person twice', `- [ ] DRI: @bob @Bob <!-- rhythm:dri:${EMEA} -->`, 'bob', []],
    [
      'two people on one slot',
      `- [ ] DRI: @alice @bob <!-- rhythm:dri:${EMEA} -->`,
      null,
      [{ kind: 'several-dris', sessionId: EMEA, usernames: ['alice', 'bob'] }],
    ],
    [
      'a name without @',
      `- [ ] DRI: alice <!-- rhythm:dri:${EMEA} -->`,
      null,
      [{ kind: 'missing-username', sessionId: EMEA, text: 'alice' }],
    ],
    [
      'an e-mail address is not a username',
      `- [ ] DRI: alice@example.com <!-- rhythm:dri:${EMEA} -->`,
      null,
      [{ kind: 'missing-username', sessionId: EMEA, text: 'alice@example.com' }],
    ],
    [
      'a ticked box with no name',
      `- [x] DRI: <!-- rhythm:dri:${EMEA} -->`,
      null,
      [{ kind: 'missing-username', sessionId: EMEA, text: '' }],
    ],
  ])('%s', (_name, line, dri, problems) => {
    const claims = parseClaims(withLine(EMEA, line), rendered.sessions);
    expect(claims.sessions.find((c) => c.sessionId === EMEA)?.dri).toBe(dri);
    expect(claims.sessions.find((c) => c.sessionId === AMER)?.dri).toBeNull();
    expect(claims.problems).toEqual(problems);
  });

  it('reports a DRI line for a session the calendar does not have', () => {
    const text = `${rendered.description}\n- [ ] DRI: @carol <!-- rhythm:dri:2026-12-40-emea-made-up -->`;
    expect(parseClaims(text, rendered.sessions).problems).toEqual([
      { kind: 'unknown-session', sessionId: '2026-12-40-emea-made-up', text: '@carol' },
    ]);
  });

  it('sees two DRI lines for one session naming different people as two DRIs', () => {
    const text = withLine(EMEA, `- [ ] DRI: @alice <!-- rhythm:dri:${EMEA} -->\n- [ ] DRI: @dave <!-- rhythm:dri:${EMEA} -->`);
    const claims = parseClaims(text, rendered.sessions);
    expect(claims.problems).toEqual([{ kind: 'several-dris', sessionId: EMEA, usernames: ['alice', 'dave'] }]);
  });

  it('reads ticked boxes, with the CRLF line ends a browser sends', () => {
    const text = withLine(AMER, `- [x] DRI: @bob <!-- rhythm:dri:${AMER} -->`)
      .replace(
        `- [ ] Lab environment requested (by Thu 10 Dec 2026) <!-- rhythm:check:lab-environment:${AMER} -->`,
        `- [x] Lab environment requested (by Thu 10 Dec 2026) <!-- rhythm:check:lab-environment:${AMER} -->`,
      )
      .replace(/\n/g, '\r\n');
    const claim = parseClaims(text, rendered.sessions).sessions.find((c) => c.sessionId === AMER);
    expect(claim?.dri).toBe('bob');
    expect(claim?.checks['lab-environment']).toBe(true);
    expect(claim?.checks.deck).toBe(false);
  });

  it('ignores examples inside a code fence', () => {
    const text = `${rendered.description}\n\`\`\`\n- [x] DRI: @mallory <!-- rhythm:dri:${EMEA} -->\n- [x] DRI: @x <!-- rhythm:dri:2026-12-40-nope -->\n\`\`\``;
    const claims = parseClaims(text, rendered.sessions);
    expect(claims.problems).toEqual([]);
    expect(claims.sessions.every((c) => c.dri === null)).toBe(true);
  });
});
