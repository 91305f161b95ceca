// What people wrote, in a chat message: nothing in it can mention, link or format.
import { describe, expect, it } from 'vitest';
import { chatLink, chatText } from '../../src/chat/text.js';
import { dueNotices } from '../../src/handlers/chat/notices.js';

describe('chat text', () => {
  it.each([
    ['<!channel> hi', '&lt;!channel&gt; hi'],
    ['<!here|here>', '&lt;!here\u007c\u200Bhere&gt;'],
    ['@here and @all', '@\u200Bhere and @\u200Ball'],
    ['<https://evil.example|Verify>', '&lt;https:\u200B//evil.example\u007c\u200BVerify&gt;'],
    ['[click](https://evil.example)', '[click]\u200B(https:\u200B//evil.example)'],
    ['*bold* _it_ `code`', '*\u200Bbold*\u200B _\u200Bit_\u200B `\u200Bcode`\u200B'],
    ['two\nlines\u202Ereversed', 'two linesreversed'],
    ['Tom & Jerry', 'Tom &amp; Jerry'],
  ])('%j becomes %j', (input, output) => {
    expect(chatText(input)).toBe(output);
  });

  it('links with the card URL and the quoted title', () => {
    expect(chatLink('https://gitlab.example.com/g/p/-/issues/4', 'A | B > C')).toBe(
      '<https://gitlab.example.com/g/p/-/issues/4|A |\u200B B &gt; C>',
    );
  });
});

describe('notices of a sign-up board', () => {
  const session = {
    title: 'CSE monthly webinar',
    region: 'AMER',
    localTime: '09:00',
    timezone: 'America/Los_Angeles',
    issueUrl: 'https://g.example/i/1',
  };
  it('a session within the next days without a DRI, once per session; none with a DRI or further away', () => {
    const notices = dueNotices({
      board: 'content',
      today: '2026-12-01',
      soonDays: 7,
      cards: [],
      dashboardUrl: null,
      sessions: [
        { ...session, id: 'a', localDate: '2026-12-08', dri: null },
        { ...session, id: 'b', localDate: '2026-12-08', dri: 'alice' },
        { ...session, id: 'c', localDate: '2026-12-20', dri: null },
      ],
    });
    expect(notices.map((n) => n.id)).toEqual(['no-dri:a', 'digest:2026-W49']);
    expect(notices[0]!.text).toBe(
      'CSE monthly webinar (AMER) on Tuesday 8 December 2026 at 09:00 America/Los_Angeles has no DRI yet. Sign up on <https://g.example/i/1|the sign-up issue>.',
    );
    expect(notices[1]!.text).toContain('2 sessions without a DRI');
    expect(notices[1]!.text).toContain(
      '• Next week: Tue 8 Dec CSE monthly webinar (AMER, no DRI yet); Tue 8 Dec CSE monthly webinar (AMER, DRI @\u200Balice)',
    );
  });
});

describe('notices of a Skills Exchange board', () => {
  const card = {
    title: 'Pipelines',
    webUrl: 'https://g.example/p/-/issues/7',
    confidential: false,
    speakers: ['alice'],
    moderator: null,
    waiting: ['moderator' as const],
  };
  it('asks for a moderator for a session in the next days, planned or scheduled; never tells of a confidential card', () => {
    const notices = dueNotices({
      board: 'skills-exchange',
      today: '2026-12-01',
      soonDays: 7,
      dashboardUrl: 'https://g.example/p/-/issues/1',
      cards: [
        { ...card, iid: 7, column: 'plan', dueDate: '2026-12-03' },
        { ...card, iid: 8, column: 'plan', dueDate: '2026-12-30' },
        { ...card, iid: 9, column: 'scheduled', dueDate: '2026-12-02', confidential: true, title: 'Secret' },
      ],
    });
    expect(notices.map((n) => n.id)).toEqual(['unstaffed:7:2026-12-03', 'digest:2026-W49']);
    expect(notices[0]!.text).toBe(
      '<https://g.example/p/-/issues/7|Pipelines> on Thursday 3 December 2026 has no moderator yet. Can you moderate? Add a line "Moderator:" with your username to the issue.',
    );
    expect(notices[1]!.text).toContain('2 waiting for a moderator');
    expect(notices[1]!.text).toContain('<https://g.example/p/-/issues/1|dashboard>');
    expect(notices.map((n) => n.text).join('\n')).not.toContain('Secret');
  });
});
