// markdown-it ships its code-span rule as a module of its own but no types for it; the rule has
// the signature of every inline rule (see markdown-it's ParserInline).
declare module 'markdown-it/lib/rules_inline/backticks.mjs' {
  import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
  export default function backtick(state: StateInline, silent: boolean): boolean;
}
