// A scheduled session names exactly one moderator, a real GitLab user, assigned to the card and
// not the speaker.
import { mayFix } from './mode.js';
import { parseModeratorLines, usernamesToLookUp } from '../card/moderator-line.js';
import { isScheduled } from '../card/status.js';
import type { Finding, Rule } from './types.js';

const problem = (message: string, howToFix: string, excerpt?: string): Finding => ({
  rule: 'moderator',
  severity: 'problem',
  message,
  howToFix,
  ...(excerpt !== undefined ? { excerpt } : {}),
});

export const moderator: Rule = {
  id: 'moderator',
  title: 'Moderator',
  anchor: '#scheduling-trainings',
  needs: { users: usernamesToLookUp },
  appliesTo: (issue, ctx) => isScheduled(issue.labels, ctx.board),
  check(issue, ctx, mode): Finding[] {
    const lines = parseModeratorLines(issue.description);
    // The person's own words help them find the line; a confidential card's words stay out of notes.
    const excerpt = issue.confidential ? undefined : lines.map((l) => l.raw).join('\n');
    const first = lines[0];
    if (!first) {
      return [problem('The description has no `Moderator: @username` line.', 'Add one line `Moderator: @username` naming the moderator.')];
    }
    if (lines.length > 1) {
      return [
        problem(
          `The description has ${lines.length} Moderator lines; a session has exactly one.`,
          'Keep one `Moderator: @username` line and delete the others.',
          excerpt,
        ),
      ];
    }
    if (!first.username) {
      return [
        problem(
          'The Moderator line names no one with an @.',
          "Write it as `Moderator: @username`, with the moderator's GitLab username.",
          excerpt,
        ),
      ];
    }
    if (first.alsoNamed.length > 0) {
      return [problem('The Moderator line names more than one person.', 'Name exactly one moderator on the line.', excerpt)];
    }
    if (ctx.botUsername && first.username.toLowerCase() === ctx.botUsername.toLowerCase()) {
      return [
        problem('The Moderator line names me, the bot; a person moderates the session.', 'Name the person who will moderate.', excerpt),
      ];
    }
    const user = ctx.users[first.username.toLowerCase()];
    if (user === undefined) return []; // not looked up: nothing can be said about this name yet
    if (user === null) {
      return [
        problem('The Moderator line names a username that no GitLab user has.', 'Check the spelling of the username after the @.', excerpt),
      ];
    }
    const name = user.username.toLowerCase();
    const assignees = issue.assignees.map((a) => a.toLowerCase());
    if (!assignees.includes(name) && ctx.singleAssignee) {
      // GitLab Free: the speaker holds the one assignee; the Moderator line is the record. The
      // name goes in code, so the note does not mention (and mail) them.
      return [
        {
          rule: 'moderator',
          severity: 'warning',
          message: `The Moderator line names \`@${user.username}\`; only one assignee is possible here (GitLab keeps one per issue), so they are not assigned beside the speaker.`,
          howToFix: 'Nothing to do: the Moderator line records who moderates. Keep the speaker assigned.',
        },
      ];
    }
    if (!assignees.includes(name)) {
      const finding: Finding = {
        rule: 'moderator',
        severity: 'problem',
        message: 'The moderator is not assigned to the card.',
        howToFix: 'Assign the moderator in addition to the speaker.',
      };
      if (mayFix(mode)) {
        finding.fix = { kind: 'assign', usernames: [user.username] };
        finding.done = 'Assigned the moderator named in the Moderator line.';
        finding.undo = 'Unassign them and change the Moderator line; while the line names them, I will assign them again.';
      }
      return [finding];
    }
    if (assignees.every((a) => a === name)) {
      // Speakers are the assignees other than the moderator: with none left, the moderator would
      // be presenting and hosting at once.
      return [
        problem(
          'The moderator is the only assignee, so they would also be the speaker.',
          ctx.singleAssignee
            ? 'Assign the speaker instead: only one assignee is possible here, and the Moderator line already names the moderator.'
            : 'Assign the speaker too: the speaker and the moderator are different people.',
        ),
      ];
    }
    return [];
  },
};
