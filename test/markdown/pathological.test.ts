import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasRecordingLink, parseModeratorLines, usernamesToLookUp } from '../../src/card/index.js';
import { parseSections } from '../../src/markdown/index.js';
import { inlineUserText, quoteUserText, readDocument } from '../../src/markdown/index.js';
import { pathologicalShapes } from '../../src/markdown/pathological.js';
import { parseClaims } from '../../src/signups/claims.js';
import { mergeSignupDescription } from '../../src/signups/merge.js';

// Every public reader of GitLab text. Before src/markdown, `x` + 5,000 backticks alone took ~30 s.
const readers: Record<string, (text: string) => unknown> = {
  document: (t) => readDocument(t),
  moderator: (t) => parseModeratorLines(t),
  lookups: (t) => usernamesToLookUp({ description: t }),
  sections: (t) => parseSections(t),
  claims: (t) => parseClaims(t, []),
  merge: (t) => mergeSignupDescription(t, '<!-- rhythm:sessions-end -->', []),
  recording: (t) => hasRecordingLink([t]),
  quote: (t) => quoteUserText(t),
  inline: (t) => inlineUserText(t),
};

// Generous on a shared 2-core machine (bench/markdown.ts measures ~0.5–1.6 s per reader per MB
// there); the readers before src/markdown missed it by orders of magnitude.
const BUDGET_MS_PER_MB = 5000;

let runs = 0;
function timed(read: (text: string) => unknown, text: string): number {
  const cold = text + '\n'.repeat(++runs % 7); // unlike the last text read: no shared parse
  const start = performance.now();
  read(cold);
  return performance.now() - start;
}

describe('every reader stays linear on pathological text', () => {
  it.each(Object.entries(pathologicalShapes(1_000_000)))('1 MB of %s', (_shape, text) => {
    for (const [name, read] of Object.entries(readers)) {
      expect({ name, ms: Math.round(timed(read, text)) }).toSatisfy(({ ms }: { ms: number }) => ms < BUDGET_MS_PER_MB);
    }
  });

  it('holds for random mixes of Markdown punctuation, nesting and unclosed constructs (fixed seed)', () => {
    const piece = fc.constantFrom(
      '`',
      '``',
      '```',
      '~~~',
      '*',
      '_',
      '[',
      '](',
      '![',
      '<!--',
      '-->',
      '<',
      '>',
      '>>>',
      '#',
      '|',
      '- ',
      '1. ',
      '    ',
      '\t',
      '\n',
      '\r\n',
      '@',
      '@a.',
      '/',
      '\\',
      'x',
      ' ',
    );
    const shape = fc.tuple(fc.array(piece, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 200_000 })).map(([parts, times]) => {
      const unit = parts.join('');
      return unit.repeat(Math.max(1, Math.floor(times / unit.length)));
    });
    fc.assert(
      fc.property(shape, (text) => {
        const budget = Math.max(200, ((BUDGET_MS_PER_MB * text.length) / 1_000_000) * 4);
        for (const read of Object.values(readers)) expect(timed(read, text)).toBeLessThan(budget);
      }),
      { seed: 20240611, numRuns: 25 },
    );
  });
});
