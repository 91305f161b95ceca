// Whatever a person does to rhythm.yml, the loader answers with located lines, never a crash,
// and never repeats the token. Mutations of the shipped file reach deep into every check.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';

const shipped = readFileSync(new URL('../../rhythm.yml', import.meta.url), 'utf8');
const token = 'glpat-fuzz-secret-0123';
const env = { GITLAB_TOKEN: token };

type Edit =
  | { kind: 'delete'; line: number }
  | { kind: 'duplicate'; line: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'cut'; at: number; length: number };

function apply(text: string, edits: Edit[]): string {
  let out = text;
  for (const edit of edits) {
    const lines = out.split('\n');
    if (edit.kind === 'delete') lines.splice(edit.line % lines.length, 1);
    if (edit.kind === 'duplicate') lines.splice(edit.line % lines.length, 0, lines[edit.line % lines.length] ?? '');
    if (edit.kind === 'delete' || edit.kind === 'duplicate') {
      out = lines.join('\n');
      continue;
    }
    const at = edit.at % (out.length + 1);
    out = edit.kind === 'insert' ? out.slice(0, at) + edit.text + out.slice(at) : out.slice(0, at) + out.slice(at + edit.length);
  }
  return out;
}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(':', '-', ' ', '\n', '"', '${', '}', '[', '{', 'x', '  ', '#', '&a', '*a', token),
      fc.string({ maxLength: 4 }),
    ),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
);

describe('a mangled rhythm.yml', () => {
  it('always gives located lines or a config, never a crash, never the token', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const text = apply(shipped, edits);
        const lineCount = text.split('\n').length;
        const result = loadConfigText(text, 'rhythm.yml', env);
        if (result.ok) return;
        expect(result.errors.length).toBeGreaterThan(0);
        for (const line of result.errors) {
          const match = /^rhythm\.yml:(\d+):(\d+) \S/.exec(line);
          expect(match, line).not.toBeNull();
          expect(Number(match?.[1])).toBeLessThanOrEqual(lineCount + 1);
          // The token may be pasted into the file by an edit; only then may it appear, and only
          // as part of the file's own text that a message quotes (never from the environment).
          if (!text.includes(token)) expect(line).not.toContain(token);
        }
      }),
      { numRuns: 150, seed: 20261123 },
    );
  });

  it('never echoes a token pasted literally into gitlab.token', () => {
    const text = shipped.replace('token: ${GITLAB_TOKEN}', `token: ${token}`);
    const result = loadConfigText(text, 'rhythm.yml', {});
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.errors.join('\n')).not.toContain(token);
  });
});
