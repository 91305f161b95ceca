import { describe, expect, it } from 'vitest';
import { routeDelivery } from '../../src/webhook/route.js';
import { fixture } from './harness.js';

const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';
const opts = { projects: new Set([PROJECT]), botUsername: 'rhythm-bot' };
/** A hook payload as the fixtures hold it: the parts the tests change, and the rest. */
interface Payload {
  project: { path_with_namespace: string };
  changes?: Record<string, unknown>;
  [key: string]: unknown;
}
const issue = () => JSON.parse(fixture('issue-hook-update-labels.json')) as Payload;
const note = () => JSON.parse(fixture('note-hook-issue.json')) as Payload;

function withChanges(changes: Record<string, unknown>): Payload {
  const p = issue();
  p.changes = changes;
  return p;
}
const change = (previous: unknown, current: unknown) => ({ previous, current });

// What the decision must say (a stored one also carries the typed event, checked below).
type Expected = { action: 'store'; key: string | null; reason?: string } | { action: 'ignore'; reason: string };
const table: [string, string, () => unknown, Expected][] = [
  ['alice moves a card to status:scheduled', 'Issue Hook', issue, { action: 'store', key: `issue:${PROJECT}#57` }],
  ['a confidential issue changes', 'Confidential Issue Hook', issue, { action: 'store', key: `issue:${PROJECT}#57` }],
  ['alice comments on the issue', 'Note Hook', note, { action: 'store', key: `issue:${PROJECT}#57` }],
  ['an internal note on the issue', 'Confidential Note Hook', note, { action: 'store', key: `issue:${PROJECT}#57` }],
  [
    'someone comments on a merge request',
    'Note Hook',
    (): unknown => JSON.parse(fixture('note-hook-merge-request.json')),
    { action: 'ignore', reason: 'note on MergeRequest, not an issue' },
  ],
  ['a push', 'Push Hook', () => ({ object_kind: 'push' }), { action: 'ignore', reason: 'event not handled: Push Hook' }],
  ['an emoji award', 'Emoji Hook', note, { action: 'ignore', reason: 'event not handled: Emoji Hook' }],
  ['a delivery with no event header', '', issue, { action: 'ignore', reason: 'event not handled: (none)' }],
  [
    'a task (work item) on an issue hook',
    'Issue Hook',
    () => ({ ...issue(), object_kind: 'work_item' }),
    { action: 'ignore', reason: 'not an issue: work_item' },
  ],
  [
    'an issue in a project that is not configured',
    'Issue Hook',
    () => ({ ...issue(), project: { id: 9, path_with_namespace: 'other/board' } }),
    { action: 'ignore', reason: 'project not configured' },
  ],
  [
    'the bot edits the issue',
    'Issue Hook',
    () => ({ ...issue(), user: { username: 'rhythm-bot' } }),
    { action: 'store', key: null, reason: 'acted by the bot' },
  ],
  [
    'the bot, spelled in other case',
    'Note Hook',
    () => ({ ...note(), user: { username: 'Rhythm-Bot' } }),
    { action: 'store', key: null, reason: 'acted by the bot' },
  ],
  [
    'alice drags the card within its column',
    'Issue Hook',
    () => withChanges({ relative_position: change(1539, 2565) }),
    { action: 'store', key: null, reason: 'only relative_position changed' },
  ],
  [
    'a drag that also touched the bookkeeping fields',
    'Issue Hook',
    () =>
      withChanges({
        relative_position: change(1, 2),
        updated_at: change('a', 'b'),
        updated_by_id: change(1, 2),
        last_edited_at: change(null, 'b'),
        last_edited_by_id: change(null, 2),
      }),
    { action: 'store', key: null, reason: 'only relative_position changed' },
  ],
  [
    'a drag together with a label change',
    'Issue Hook',
    () => withChanges({ relative_position: change(1, 2), labels: change([], []) }),
    { action: 'store', key: `issue:${PROJECT}#57` },
  ],
  [
    'an update with only bookkeeping changes',
    'Issue Hook',
    () => withChanges({ updated_at: change('a', 'b') }),
    { action: 'store', key: `issue:${PROJECT}#57` },
  ],
];

describe('routing a delivery', () => {
  for (const [name, event, payload, expected] of table) {
    it(`${name} → ${expected.action === 'store' ? `store (key ${expected.key})` : 'ignore'}`, () => {
      const decision = routeDelivery(event, payload(), opts);
      const { event: _typed, ...rest } = decision.action === 'store' ? decision : { ...decision, event: null };
      expect(rest).toEqual(expected);
    });
  }

  it('keys the issue with the configured spelling of the project path', () => {
    const p = issue();
    p.project.path_with_namespace = PROJECT.toUpperCase();
    expect(routeDelivery('Issue Hook', p, opts)).toMatchObject({ action: 'store', key: `issue:${PROJECT}#57` });
  });

  it('ignores shapes it cannot read instead of throwing', () => {
    for (const payload of [
      null,
      42,
      'x',
      [],
      {},
      { project: [] },
      { project: { path_with_namespace: PROJECT }, object_attributes: { iid: -1 } },
    ]) {
      expect(routeDelivery('Issue Hook', payload, opts).action).toBe('ignore');
    }
  });
});

describe('the event read from a delivery', () => {
  it('keeps what the work needs: who, when, the labels now and the label change', () => {
    const decision = routeDelivery('Issue Hook', issue(), opts);
    expect(decision.action).toBe('store');
    if (decision.action !== 'store') return;
    const e = decision.event;
    expect(e).toMatchObject({ v: 1, kind: 'issue', project: PROJECT, iid: 57 });
    expect(e).toHaveProperty('actor', expect.any(String));
    expect(e.labelChange?.current.length).toBeGreaterThan(0);
    expect(e.changed).toContain('labels');
  });

  it('drops malformed parts instead of throwing on them (previous: [null])', () => {
    const p = withChanges({ labels: change([null, { title: 'status:plan' }, 7], [{ title: 'status:scheduled' }]) });
    const decision = routeDelivery('Issue Hook', p, opts);
    expect(decision.action).toBe('store');
    if (decision.action !== 'store') return;
    expect(decision.event.labelChange).toEqual({ previous: ['status:plan'], current: ['status:scheduled'] });
  });

  it('round-trips through the queue, and anything else stored reads as nothing', async () => {
    const { decodeHookEvent } = await import('../../src/webhook/event.js');
    const decision = routeDelivery('Note Hook', note(), opts);
    if (decision.action !== 'store') throw new Error('expected a stored note');
    expect(decodeHookEvent(JSON.stringify(decision.event))).toEqual(decision.event);
    expect(decodeHookEvent('{"object_kind":"issue"}')).toBeNull();
    expect(decodeHookEvent('not json')).toBeNull();
  });
});
