// A read-only issue board, so a person can watch the bot work: Open (no list label), one column
// per list label, Closed. Lists are ordered like GitLab's board lists: relative_position ASC NULLS
// LAST, and the Closed list by closed_at DESC (app/services/boards/issues/list_service.rb).

import type { World } from './world.js';
import type { IssueRecord, ProjectRecord } from './types.js';

export interface BoardCard {
  id: number;
  iid: number;
  title: string;
  due_date: string | null;
  assignees: string[];
  labels: string[];
  confidential: boolean;
  relative_position: number | null;
  web_url: string;
}

export interface BoardColumn {
  title: string;
  /** The list label; null for Open and Closed. */
  label: string | null;
  cards: BoardCard[];
}

export interface Board {
  project: { id: number; path_with_namespace: string };
  columns: BoardColumn[];
}

/** Default lists: the project's labels starting with `status:`, by name. */
export function boardOf(world: World, project: ProjectRecord, lists?: string[]): Board {
  const listLabels =
    lists ??
    world
      .projectLabels(project.id)
      .map((l) => l.name)
      .filter((n) => n.startsWith('status:'))
      .sort();
  const issues = world.projectIssues(project.id);
  const names = (i: IssueRecord): string[] => i.labelIds.map((id) => world.label(id).name).sort();
  const byPosition = (a: IssueRecord, b: IssueRecord): number => {
    if (a.relativePosition === null || b.relativePosition === null) {
      return a.relativePosition === b.relativePosition ? a.id - b.id : a.relativePosition === null ? 1 : -1;
    }
    return a.relativePosition - b.relativePosition || a.id - b.id;
  };
  const card = (i: IssueRecord): BoardCard => ({
    id: i.id,
    iid: i.iid,
    title: i.title,
    due_date: i.dueDate,
    assignees: i.assigneeIds.map((id) => world.user(id).username),
    labels: names(i),
    confidential: i.confidential,
    relative_position: i.relativePosition,
    web_url: world.issueWebUrl(i),
  });
  const open = issues.filter((i) => i.state === 'opened');
  const columns: BoardColumn[] = [
    {
      title: 'Open',
      label: null,
      cards: open
        .filter((i) => !names(i).some((n) => listLabels.includes(n)))
        .sort(byPosition)
        .map(card),
    },
    ...listLabels.map((l) => ({
      title: l,
      label: l,
      cards: open
        .filter((i) => names(i).includes(l))
        .sort(byPosition)
        .map(card),
    })),
    {
      title: 'Closed',
      label: null,
      cards: issues
        .filter((i) => i.state === 'closed')
        .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0) || b.id - a.id)
        .map(card),
    },
  ];
  return { project: { id: project.id, path_with_namespace: project.pathWithNamespace }, columns };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1rem;background:#fafafa}
.board{display:flex;gap:1rem;align-items:flex-start;overflow-x:auto}
.column{background:#eee;border-radius:6px;padding:.5rem;min-width:16rem;max-width:20rem}
.column h2{font-size:1rem;margin:.25rem .25rem .5rem}
.card{background:#fff;border-radius:4px;padding:.5rem;margin-bottom:.5rem;box-shadow:0 1px 2px #0002}
.card .meta{font-size:.8rem;color:#555;margin-top:.25rem}
.label{display:inline-block;background:#dde;border-radius:8px;padding:0 .4rem;margin:.1rem;font-size:.75rem}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
}

export function boardHtml(board: Board): string {
  const columns = board.columns
    .map((c) => {
      const cards = c.cards
        .map(
          (
            k,
          ) => `<div class="card" data-iid="${k.iid}"><a href="${escapeHtml(k.web_url)}">#${k.iid}</a> ${escapeHtml(k.title)}${k.confidential ? ' (confidential)' : ''}
<div class="meta">${k.due_date ? `due ${escapeHtml(k.due_date)}` : 'no due date'}${k.assignees.length > 0 ? ' · ' + k.assignees.map((a) => '@' + escapeHtml(a)).join(', ') : ''}</div>
<div>${k.labels.map((l) => `<span class="label">${escapeHtml(l)}</span>`).join('')}</div></div>`,
        )
        .join('\n');
      return `<section class="column"><h2>${escapeHtml(c.title)} <small>${c.cards.length}</small></h2>\n${cards}</section>`;
    })
    .join('\n');
  return page(
    `${board.project.path_with_namespace} board`,
    `<h1>${escapeHtml(board.project.path_with_namespace)}</h1><p><a href="/">all projects</a></p><div class="board">${columns}</div>`,
  );
}

export function indexHtml(world: World): string {
  const items = [...world.projects.values()]
    .map(
      (p) =>
        `<li><a href="/-/boards/${p.pathWithNamespace.split('/').map(encodeURIComponent).join('/')}">${escapeHtml(p.pathWithNamespace)}</a></li>`,
    )
    .join('\n');
  return page('GitLab sandbox', `<h1>GitLab sandbox</h1><p>REST API at <code>/api/v4</code>. Boards:</p><ul>${items}</ul>`);
}
