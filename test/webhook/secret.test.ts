// The X-Gitlab-Token check, with and without a previous secret (rotation).
import { describe, expect, it } from 'vitest';
import { secretCheck } from '../../src/webhook/secret.js';

describe('secretCheck', () => {
  it('accepts only the current secret when there is no previous one', () => {
    const check = secretCheck('current-secret');
    expect(check('current-secret')).toBe('current');
    expect(check('old-secret')).toBeNull();
    expect(check('')).toBeNull();
    expect(check(undefined)).toBeNull();
  });

  it('accepts the current and the previous secret during a rotation, and says which', () => {
    const check = secretCheck('new-secret', 'old-secret');
    expect(check('new-secret')).toBe('current');
    expect(check('old-secret')).toBe('previous');
    expect(check('old-secret ')).toBeNull();
    expect(check('another')).toBeNull();
  });

  it('refuses an empty secret', () => {
    expect(() => secretCheck('')).toThrow(/empty/);
  });
});
