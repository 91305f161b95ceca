// The executor's order of writes: a note on an issue goes before that issue's edits, so a fix is
// never on GitLab without its explanation (issue 12, item 11). Everything else keeps its order.
import { describe, expect, it } from 'vitest';
import { inWriteOrder } from '../../src/engine/apply.js';
import type { Step } from '../../src/engine/steps.js';

const P = 'g/p';
const edit = (iid: number): Step => ({ kind: 'editIssue', project: P, iid, edit: { addLabels: ['status:plan'] }, because: ['transition'] });
const note = (iid: number, marker = '<!-- rhythm:status -->'): Step => ({
  kind: 'createNote',
  project: P,
  iid,
  marker,
  body: `${marker}\nwhy`,
});
const noteEdit = (iid: number): Step => ({ kind: 'editNote', project: P, iid, noteId: 7, marker: '<!-- rhythm:status -->', body: 'why' });
const wake: Step = { kind: 'enqueue', key: 'column:g/p:status:scheduled', delayMs: 100 };
const kinds = (steps: Step[]) => steps.map((s) => `${s.kind}${'iid' in s ? `#${s.iid}` : ''}`);

describe('the order of writes', () => {
  it('posts the note that explains a revert before the revert', () => {
    expect(kinds(inWriteOrder([edit(1), note(1), wake]))).toEqual(['createNote#1', 'editIssue#1', 'enqueue']);
  });

  it('edits the note in place before the fix it now explains', () => {
    expect(kinds(inWriteOrder([edit(1), noteEdit(1)]))).toEqual(['editNote#1', 'editIssue#1']);
  });

  it('keeps the notes of one issue in their order (status note, then checklist)', () => {
    const ordered = inWriteOrder([edit(1), note(1), note(1, '<!-- rhythm:checklist -->')]);
    expect(ordered.map((s) => (s.kind === 'createNote' ? s.marker : s.kind))).toEqual([
      '<!-- rhythm:status -->',
      '<!-- rhythm:checklist -->',
      'editIssue',
    ]);
  });

  it("moves a note only ahead of its own issue's edit", () => {
    expect(kinds(inWriteOrder([edit(1), note(2), note(1)]))).toEqual(['createNote#1', 'editIssue#1', 'createNote#2']);
  });

  it('changes nothing when the notes come first already, or there is no edit', () => {
    const steps = [note(1), edit(1), wake];
    expect(inWriteOrder(steps)).toEqual(steps);
    const notes = [note(1), note(2)];
    expect(inWriteOrder(notes)).toEqual(notes);
  });
});
