// Finds quick-action commands in note and description text exactly where GitLab finds them.
// A port of the matching rules in GitLab's lib/gitlab/quick_actions/extractor.rb: a command starts
// at column 0 (`/cmd` or `/cmd args`, any case); fenced code, multi-line inline code, HTML blocks
// and `>>>` quote blocks are skipped whole; `> ` quotes, indented and mid-line text never match.
// Matched command lines are removed from the text, which is then right-trimmed.

/** The commands the sandbox understands; other `/words` stay in the text, as unknown commands do in GitLab. */
export const COMMAND_NAMES: readonly string[] = [
  'label',
  'labels',
  'unlabel',
  'remove_label',
  'relabel',
  'assign',
  'unassign',
  'due',
  'remove_due_date',
  'close',
  'reopen',
  'title',
];

export interface ExtractedCommand {
  /** Lower-cased command name as written (aliases not resolved). */
  name: string;
  /** Argument text, trimmed; undefined when absent or blank. */
  arg: string | undefined;
}

const COMMAND_PATTERN = new RegExp(
  [
    '(?<code>^```.+?\\n```$)',
    '(?<inline>^.*`\\n*.+?\\n*`$)',
    '(?<html>^<[^>]+?>\\n.+?\\n<\\/[^>]+?>$)',
    '(?<quote>^>>>.+?\\n>>>$)',
    `(?:^\\/(?<cmd>${COMMAND_NAMES.join('|')})(?:[ ](?<arg>[^\\n]*))?(?:\\s*\\n|$))`,
  ].join('|'),
  // m: ^/$ at line ends; s: dot crosses lines (Ruby's /m); i: commands in any case.
  'gmsi',
);

export function extractCommands(text: string): { content: string; commands: ExtractedCommand[] } {
  const commands: ExtractedCommand[] = [];
  const content = text.replace(/\r/g, '').replace(COMMAND_PATTERN, (whole, ...rest) => {
    const groups = rest[rest.length - 1] as Record<string, string | undefined>;
    const cmd = groups['cmd'];
    if (cmd === undefined) return whole;
    const arg = groups['arg']?.trim();
    commands.push({ name: cmd.toLowerCase(), arg: arg ? arg : undefined });
    return '';
  });
  return { content: content.trimEnd(), commands };
}
