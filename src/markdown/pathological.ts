// Text shapes that make naive Markdown readers super-linear: runs of one punctuation mark, deep
// nesting, unclosed constructs. Shared by the property test and bench/markdown.ts, so both
// measure the same worst cases.

/** `unit` repeated up to `size` characters (whole units only), after `prefix`. */
export function repeatTo(prefix: string, unit: string, size: number): string {
  return prefix + unit.repeat(Math.max(0, Math.floor((size - prefix.length) / unit.length)));
}

/** Named worst shapes of about `size` characters each. */
export function pathologicalShapes(size: number): Record<string, string> {
  return {
    'x then backticks': repeatTo('x', '`', size),
    'backtick pairs': repeatTo('', '`a``', size),
    'heading then blanks': repeatTo('# a', ' \t', size) + 'b',
    'DRI line of <!--': repeatTo('- [ ] DRI: @bob ', '<!-- ', size),
    'Moderator line of <!--': repeatTo('Moderator: @bob ', '<!--', size),
    brackets: repeatTo('', '[', size),
    images: repeatTo('', '![a](', size),
    emphasis: repeatTo('', '*a', size),
    'nested quotes': repeatTo('', '>', size),
    'nested lists': repeatTo('', '- ', size),
    'table rows': repeatTo('| a | b |\n|---|---|\n', '| `c` | <!-- d |\n', size),
    'lines of @': repeatTo('', '@a.\n', size),
    fences: repeatTo('', '````\n```\n', size),
    'multiline quotes': repeatTo('', '>>>\n', size),
    urls: repeatTo('', 'https://www.', size),
  };
}
