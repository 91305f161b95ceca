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

  // Bodies with fewer opening brackets than the limit allows are settled by counting; the rest
  // are scanned. Both must agree with the depth of the parsed value, on either side of the limit.
  it('agrees with the depth of the parsed value, whether it counts or scans', () => {
    const depthOf = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const build = (depth: number): unknown => {
      if (depth === 0) return random(3) === 0 ? '[{' : random(10);
      const inner = Array.from({ length: 1 + random(3) }, (_, i) => (i === 0 ? build(depth - 1) : build(random(depth))));
      return random(2) === 0 ? inner : Object.fromEntries(inner.map((v, i) => [`k${i}`, v]));
    };
    for (let i = 0; i < 300; i++) {
      const json = JSON.stringify(build(1 + random(8)));
      const max = 1 + random(8);
      expect(deeper(json, max), json).toBe(depthOf(JSON.parse(json)) > max);
    }
  });
});
