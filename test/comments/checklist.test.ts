import { describe, expect, it } from 'vitest';
import { renderReminder, renderScheduledChecklist } from '../../src/comments/index.js';
import { hasRecordingLink } from '../../src/card/index.js';

describe('the checklist posted when a card is scheduled', () => {
  const text = renderScheduledChecklist({ speakers: ['alice'], moderator: 'bob', dueDate: '2026-03-12' });

  it('carries its marker and the date, and mentions speaker and moderator', () => {
    expect(text.split('\n')[0]).toBe('<!-- rhythm:checklist -->');
    expect(text).toContain('2026-03-12');
    expect(text).toContain('**Speaker** @alice');
    expect(text).toContain('**Moderator** @bob');
  });

  it.each([
    ['speaker: slides to the enablement program manager', /slides with the Customer Success Enablement Program Manager/],
    ['speaker: a couple of minutes early', /couple of minutes before/],
    ['speaker: links on the training page', /links .* training page/],
    ['moderator: in 5 minutes early', /Zoom 5 minutes early/],
    ['moderator: the chat before the start is not recorded', /stays off the recording/],
    ['moderator: public or private, and sensitive information', /public or private.*sensitive/],
    ['moderator: record locally', /Record the session to your own computer/],
    ['moderator: the 20-minute mark', /20-minute mark/],
    ['moderator: upload to YouTube Unfiltered', /GitLab Unfiltered YouTube channel\]\(https:\/\/www\.youtube\.com\/channel\//],
    ['moderator: link in #customer-success', /`#customer-success` Slack channel/],
  ])('lists the duty: %s', (_duty, pattern) => {
    expect(text).toMatch(pattern);
  });

  it('mentions only plain usernames: no @all, no smuggled commands, no one twice', () => {
    const risky = renderScheduledChecklist({
      speakers: ['all', 'evil\n/close', 'carol /close', 'Bob', 'alice'],
      moderator: 'bob',
      dueDate: null,
    });
    expect(risky).toContain('**Speaker** @alice');
    expect(risky).not.toMatch(/@all|@evil|@carol|\/close/);
    expect(risky).not.toMatch(/^\s*\//m);
  });

  it('reads sensibly with no one named', () => {
    const empty = renderScheduledChecklist({ speakers: [], moderator: null, dueDate: 'not a date' });
    expect(empty).toContain('(no speaker assigned yet)');
    expect(empty).toContain('(no moderator named yet)');
    expect(empty).not.toContain('not a date');
  });
});

describe('the reminders', () => {
  it('before the session: says when, and whom it is for', () => {
    const text = renderReminder('before', { speakers: ['alice'], moderator: 'bob', dueDate: '2026-03-12', today: '2026-03-11' });
    expect(text.split('\n')[0]).toBe('<!-- rhythm:reminder:before:2026-03-12 -->');
    expect(text).toContain('@alice, @bob: a friendly reminder that this session is tomorrow.');
    expect(renderReminder('before', { speakers: [], moderator: 'bob', dueDate: '2026-03-12', today: '2026-03-10' })).toContain('in 2 days');
    expect(renderReminder('before', { speakers: [], moderator: null, dueDate: '2026-03-12' })).toContain(
      'Hello: a friendly reminder that this session is on 2026-03-12.',
    );
  });

  it('after the session: asks the moderator first for the recording', () => {
    const text = renderReminder('recording', { speakers: ['alice'], moderator: 'bob', dueDate: '2026-03-12' });
    expect(text.split('\n')[0]).toBe('<!-- rhythm:reminder:recording:2026-03-12 -->');
    expect(text).toContain('@bob, @alice: thank you for the session on 2026-03-12!');
    expect(text).toMatch(/Once a link to the video is in this issue, I stop asking/);
  });

  it('do not count their own channel link as the recording', () => {
    const text = renderReminder('recording', { speakers: [], moderator: 'bob', dueDate: '2026-03-12' });
    expect(hasRecordingLink([text])).toBe(false);
  });
});
