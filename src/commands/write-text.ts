// A step as a person reads it on a terminal: what the write is and its full content (a note's
// whole body, an issue's title, labels and description). `rhythm explain` prints its plan this way,
// and a dry-run of `rhythm sweep` every write it did not send. A hook's secret is never printed.
import type { Step } from '../engine/steps.js';
import type { IssueEdit } from '../gitlab/types.js';

const indent = (text: string, by = '    | ') =>
  text
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => `${by}${line}`.trimEnd());

function editLines(edit: IssueEdit, addAssignees: readonly number[] = []): string[] {
  const lines: string[] = [];
  if (edit.addLabels?.length) lines.push(`add labels: ${edit.addLabels.join(', ')}`);
  if (edit.removeLabels?.length) lines.push(`remove labels: ${edit.removeLabels.join(', ')}`);
  if (addAssignees.length) lines.push(`add assignees (user ids): ${addAssignees.join(', ')}`);
  if (edit.assigneeIds) lines.push(`set assignees (user ids): ${edit.assigneeIds.join(', ') || '(none)'}`);
  if (edit.dueDate !== undefined) lines.push(`due date: ${edit.dueDate ?? '(none)'}`);
  if (edit.stateEvent) lines.push(`state: ${edit.stateEvent}`);
  if (edit.title !== undefined) lines.push(`title: ${edit.title}`);
  return lines;
}

/** The write in one heading line and its content below, indented. */
export function writeText(step: Step): string[] {
  switch (step.kind) {
    case 'editIssue':
      return [
        `edit issue ${step.project}#${step.iid} (because: ${step.because.join(', ')})`,
        ...editLines(step.edit, step.addAssignees).map((l) => `    ${l}`),
        ...(step.edit.description !== undefined ? ['    description:', ...indent(step.edit.description)] : []),
      ];
    case 'createNote':
      return [`post a note on ${step.project}#${step.iid} (${step.marker}):`, ...indent(step.body)];
    case 'editNote':
      return [`edit note ${step.noteId} on ${step.project}#${step.iid} (${step.marker}) to:`, ...indent(step.body)];
    case 'deleteNote':
      return [`delete note ${step.noteId} on ${step.project}#${step.iid} (a second bot note with ${step.marker})`];
    case 'createIssue':
      return [
        `create ${step.what} in ${step.project}`,
        `    title: ${step.issue.title}`,
        `    labels: ${(step.issue.labels ?? []).join(', ') || '(none)'}`,
        '    description:',
        ...indent(step.issue.description ?? ''),
      ];
    case 'reorderIssue':
      return [
        `move ${step.project}#${step.iid} ${step.what} (${'moveAfterId' in step.to ? `after issue id ${step.to.moveAfterId}` : `before issue id ${step.to.moveBeforeId}`})`,
      ];
    case 'addHook':
    case 'editHook': {
      const { url, token: _secret, ...events } = step.spec;
      const on = Object.entries(events)
        .filter(([, v]) => v === true)
        .map(([k]) => k);
      const what = step.kind === 'addHook' ? `add the webhook on ${step.project}` : `update webhook ${step.hookId} on ${step.project}`;
      return [`${what}: ${url} (${on.join(', ')}; the secret is sent, never printed)`];
    }
    case 'deleteHook':
      return [`remove webhook ${step.hookId} (${step.url}) from ${step.project}`];
    case 'chatNotice':
      // The webhook URL is a secret: the board names where it goes.
      return step.text === null
        ? [`record chat notice ${step.notice} on ${step.board} as already known (nothing sent)`]
        : [`send chat notice ${step.notice} on ${step.board}:`, ...indent(step.text)];
    case 'forgetChatNotices':
      return [`forget chat notices of ${step.board} that can never be owed again (not a GitLab write): ${step.notices.join(', ')}`];
    case 'enqueue':
      return [`then look at ${step.key}${step.delayMs > 0 ? ` after ${step.delayMs} ms` : ''} (not a write)`];
  }
}
