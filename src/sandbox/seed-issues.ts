// Cards put straight into a project, the way an import would: made as IssueService makes them
// (labels created, label events recorded, a position at the end), but with no webhook and no rate
// limit, so a test or a benchmark can start from a board of thousands of cards in milliseconds.

import type { IssueService } from './issue-service.js';
import type { World } from './world.js';
import type { ProjectRecord, UserRecord } from './types.js';

/** A card to put straight into a project, as an import would: no webhook, no rate limit. */
export interface SeedIssue {
  title: string;
  description?: string;
  labels?: string[];
  /** Usernames. */
  assignees?: string[];
  dueDate?: string;
  /** Username of the author; default the first seeded person, alice. */
  author?: string;
  /**
   * A label change right after creation, as a person's edit makes it (its label events recorded,
   * no webhook): a card that was requested in one column and moved to another. GitLab takes one
   * person's label events of one instant as one change, so the mover is best another person.
   */
  then?: { addLabels?: string[]; removeLabels?: string[]; by: string };
}

/** Cards straight into the world, as IssueService makes them, with no webhook and no limit. */
export function seedIssues(world: World, service: IssueService, project: ProjectRecord, issues: SeedIssue[]): number[] {
  const userOf = (username: string): UserRecord => {
    const u = world.userByUsername(username);
    if (!u) throw new Error(`no user ${username}`);
    return u;
  };
  return issues.map((i) => {
    const issue = service.createIssue(
      project,
      userOf(i.author ?? 'alice'),
      {
        title: i.title,
        description: i.description ?? null,
        labelIds: (i.labels ?? []).map((name) => world.findOrCreateLabel(project.id, name).id),
        assigneeIds: (i.assignees ?? []).map((name) => userOf(name).id),
        dueDate: i.dueDate ?? null,
        placeNow: true,
      },
      () => undefined,
    );
    if (i.then) {
      const ids = (names: string[] | undefined) => (names ?? []).map((name) => world.findOrCreateLabel(project.id, name).id);
      service.updateIssue(
        issue,
        userOf(i.then.by),
        { addLabelIds: ids(i.then.addLabels), removeLabelIds: ids(i.then.removeLabels) },
        () => undefined,
      );
    }
    return issue.iid;
  });
}
