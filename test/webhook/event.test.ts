// decodeHookEvent checks a stored event by hand (it runs for every delivery a job reads); the zod
// schema stays the definition. Both must agree on every variation of a stored event.
import { describe, expect, it } from 'vitest';
import { decodeHookEvent, hookEventSchema } from '../../src/webhook/event.js';

const issue = {
  v: 1,
  kind: 'issue',
  project: 'g/p',
  iid: 3,
  actor: 'alice',
  at: '2025-03-04 08:30:12 UTC',
  action: 'update',
  labels: ['status:plan'],
  labelChange: { previous: ['status:plan'], current: ['status:scheduled'] },
  changed: ['labels', 'updated_at'],
  previousDueDate: '2025-03-01',
};
const note = { ...issue, kind: 'note', labels: [], labelChange: null, changed: [], noteId: 77, previousDueDate: undefined };

// Values each field is tried with: right and wrong types, edge numbers, absent.
const values: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  2 ** 53,
  7,
  '',
  'x',
  true,
  [],
  ['a'],
  [1],
  {},
  { previous: [], current: [] },
  { previous: ['a'] },
];

describe('a stored event read back from the queue', () => {
  it('is read as zod reads it, for every field set to every kind of value', () => {
    let checked = 0;
    for (const base of [issue, note]) {
      for (const field of [...Object.keys(issue), 'noteId', 'extra']) {
        for (const value of values) {
          const event: Record<string, unknown> = { ...base, [field]: value };
          const parsed = hookEventSchema.safeParse(JSON.parse(JSON.stringify(event)));
          expect(decodeHookEvent(JSON.stringify(event)), `${field} = ${JSON.stringify(value)}`).toEqual(
            parsed.success ? parsed.data : null,
          );
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('is nothing when it is not an object', () => {
    for (const text of ['null', '[]', '"x"', '3', 'not json', JSON.stringify([issue])]) expect(decodeHookEvent(text)).toBeNull();
  });
});
