import { describe, expect, it } from 'vitest';
import { businessDaysBefore } from '../../src/signups/calendar.js';
import { publicHolidays } from '../../src/signups/holidays.js';
import { loadConfigText } from '../../src/config/load.js';

describe('public holidays (date-holidays)', () => {
  it('knows US Thanksgiving and Christmas 2026, and skips them as business days', () => {
    const us = publicHolidays('US', [2026]);
    expect(us.has('2026-11-26')).toBe(true);
    expect(us.has('2026-12-25')).toBe(true);
    // Two business days before Monday 2026-11-30: Friday the 27th, then Wednesday the 25th
    // (Thursday the 26th is Thanksgiving).
    expect(businessDaysBefore('2026-11-30', 2, us)).toBe('2026-11-25');
    expect(businessDaysBefore('2026-11-30', 2)).toBe('2026-11-26');
  });

  it('the configuration refuses a country it has no calendar for', () => {
    const text = [
      'gitlab:',
      '  url: http://127.0.0.1:1',
      '  token: ${T}',
      '  botUsername: rhythm-bot',
      'boards: []',
      'signups:',
      '  project: g/p',
      '  webinars: { enabled: false }',
      '  labs: { enabled: false }',
      '  holidays: XX',
      '',
    ].join('\n');
    const result = loadConfigText(text, 'h.yml', { T: 'x' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toMatch(/h\.yml:10:\d+ signups\.holidays must be a country code/);
  });
});
