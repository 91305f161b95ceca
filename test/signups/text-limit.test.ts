// The one cap on text the bot writes (src/comments/limit.ts): under GitLab's limit always, cut at a
// safe place, and a body that fits left exactly as it is.
import { describe, expect, it } from 'vitest';
import { atMost, fitToLimit, NOTE_LIMIT, TEXT_LIMIT } from '../../src/comments/limit.js';

const MARKER = '<!-- rhythm:signup-status -->';

describe('fitToLimit', () => {
  it('leaves a body that fits as it is, up to the last character', () => {
    expect(fitToLimit('short')).toBe('short');
    const exact = 'a'.repeat(TEXT_LIMIT);
    expect(fitToLimit(exact)).toBe(exact);
    expect(TEXT_LIMIT).toBeLessThanOrEqual(NOTE_LIMIT);
  });

  it('cuts a long body at a line end and says how much it left out', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `- line ${i} ${'x'.repeat(100)}`);
    const body = [MARKER, ...lines].join('\n');
    const out = fitToLimit(body);
    expect(out.length).toBeLessThanOrEqual(TEXT_LIMIT);
    expect(out.startsWith(`${MARKER}\n- line 0 `)).toBe(true);
    const [kept, notice] = out.split('\n\n');
    // Whole lines only: what is kept is the body's own head, ending where one of its lines ends.
    expect(body.startsWith(kept!)).toBe(true);
    expect(body[kept!.length]).toBe('\n');
    expect(notice).toBe(
      `_Rhythm left out the last ${(body.length - kept!.length).toLocaleString('en-US')} characters of this text: GitLab takes at most 1,000,000._`,
    );
  });

  it('never cuts inside a hidden comment: a marker is whole or absent', () => {
    for (const at of [40, 41, 50, 60, 70]) {
      const body = `${'y'.repeat(at)}<!-- rhythm:dri:some-session-id -->${'z'.repeat(200)}`;
      const out = fitToLimit(body, { limit: 100, notice: () => '(cut)' });
      expect(out.length).toBeLessThanOrEqual(100);
      const head = out.replace(/\s*\(cut\)$/, '');
      expect(head).not.toMatch(/<!--(?![\s\S]*-->)/);
    }
    // A comment that never closes hides everything after it: the cut comes before it opens.
    const open = `${'w'.repeat(10)}\n<!-- never closed ${'v'.repeat(500)}`;
    expect(fitToLimit(open, { limit: 100, notice: () => '(cut)' })).toBe(`${'w'.repeat(10)}\n\n(cut)`);
  });

  it('closes a code fence the cut leaves open, and never splits an emoji', () => {
    const fenced = ['before', '```text', ...Array.from({ length: 200 }, (_, i) => `code ${i}`), '```', 'after'].join('\n');
    const out = fitToLimit(fenced, { limit: 300, notice: () => '(cut)' });
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out).toMatch(/\n```\n\n\(cut\)$/);
    const emoji = '😀'.repeat(400);
    const cut = fitToLimit(emoji, { limit: 101, notice: () => '' });
    expect(cut.length).toBeLessThanOrEqual(101);
    expect(cut).toBe('😀'.repeat(Math.floor(cut.length / 2)));
  });

  it('stays under the limit whatever the text is made of', () => {
    const shapes = {
      'one long line': 'q'.repeat(1_500_000),
      'short lines': 'ab\n'.repeat(600_000),
      'markers back to back': '<!-- rhythm:dri:x -->'.repeat(60_000),
      'open fences': '```\n'.repeat(300_000),
      'emoji lines': '😀😀😀\n'.repeat(200_000),
    };
    for (const [name, body] of Object.entries(shapes)) {
      const out = fitToLimit(body);
      expect(out.length, name).toBeLessThanOrEqual(TEXT_LIMIT);
      expect(out.length, name).toBeGreaterThan(TEXT_LIMIT * 0.9);
    }
  });
});

describe('atMost', () => {
  it('keeps a short list and counts what it leaves out of a long one', () => {
    expect(atMost(['a', 'b'], 2, (n) => `${n} more`)).toEqual(['a', 'b']);
    expect(atMost(['a', 'b', 'c', 'd'], 2, (n) => `${n} more`)).toEqual(['a', 'b', '2 more']);
  });
});
