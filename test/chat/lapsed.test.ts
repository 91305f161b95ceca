// Which recorded chat notices the ledger may forget: only those nothing can ask for again.
import { describe, expect, it } from 'vitest';
import { LAPSE_GRACE_DAYS, lapsedNotices, UNDATED_KEPT_MS } from '../../src/handlers/chat/notices.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const TODAY = '2026-12-01';
const lapsed = (ids: Record<string, number>, owed: string[] = []) =>
  lapsedNotices(new Map(Object.entries(ids)), new Set(owed), TODAY, NOW).sort();

describe('lapsed chat notices', () => {
  it('forgets a dated notice once its day is the grace past, not a day sooner', () => {
    expect(LAPSE_GRACE_DAYS).toBe(7);
    expect(
      lapsed({
        'scheduled:4:2026-11-23': NOW,
        'scheduled:4:2026-11-24': NOW,
        'unstaffed:4:2026-11-23': NOW,
        'no-dri:2026-11-23-amer-webinar': NOW,
        'no-dri:2026-11-24-emea-lab': NOW,
        // Week 47 ends Sunday 22 November, week 48 on the 29th.
        'digest:2026-W47': NOW,
        'digest:2026-W48': NOW,
      }),
    ).toEqual(['digest:2026-W47', 'no-dri:2026-11-23-amer-webinar', 'scheduled:4:2026-11-23', 'unstaffed:4:2026-11-23']);
  });

  it('keeps a session scheduled far ahead however long ago it was announced', () => {
    expect(lapsed({ 'scheduled:4:2027-11-30': NOW - 400 * 24 * 3600_000 })).toEqual([]);
  });

  it('forgets an undated notice only when no card owes it and it was recorded long enough ago', () => {
    expect(
      lapsed(
        {
          'recording:1': NOW - UNDATED_KEPT_MS - 1,
          'recording:2': NOW - UNDATED_KEPT_MS + 1000,
          'recording:3': NOW - 10 * UNDATED_KEPT_MS,
        },
        ['recording:3'],
      ),
    ).toEqual(['recording:1']);
  });

  it('never forgets a notice owed now', () => {
    expect(lapsed({ 'digest:2020-W01': 0, 'scheduled:4:2020-01-01': 0 }, ['digest:2020-W01', 'scheduled:4:2020-01-01'])).toEqual([]);
  });
});
