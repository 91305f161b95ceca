import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../src/webhook/nesting.js';

const deeper = (json: string, max: number) => nestsDeeperThan(Buffer.from(json), max);

describe('the nesting guard', () => {
  it.each([
    ['[[[]]]', 2, true],
    ['[[[]]]', 3, false],
    ['{"a":{"b":[1,{"c":2}]}}', 4, false],
    ['{"a":{"b":[1,{"c":2}]}}', 3, true],
  ])('measures %s against a limit of %i', (json, max, want) => {
    expect(deeper(json, max)).toBe(want);
  });

  it('does not count brackets inside strings', () => {
    expect(deeper(`{"description":"${'[{'.repeat(500)}"}`, 1)).toBe(false);
  });

  it('knows an escaped quote does not end a string, and an escaped backslash does', () => {
    expect(deeper('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(deeper('{"a":"x\\\\\\"[[[","b":[[[]]]}', 3)).toBe(true);
    expect(deeper('["\\\\",[[[]]]]', 3)).toBe(true);
  });

  it('stops at an unterminated string without reading past the end', () => {
    expect(deeper('{"a":"unterminated [[[[', 1)).toBe(false);
  });
});
