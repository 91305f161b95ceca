// The one reader of GitLab text: parse once, then ask for prose, sections, mentions, quoting.
export { readDocument, splitLines } from './document.js';
export type { DocumentLine, GitLabDocument, Heading, LineKind, TaskItem } from './document.js';
export { hideHtmlComments, stripHtmlComments } from './html-comment.js';
export { classifyLines } from './lines.js';
export type { MarkdownLine, MarkdownLineKind } from './lines.js';
export { mentions, neutraliseMentions, safeUsername } from './mention.js';
export { defuseQuickActions, quickActionLines, startsQuickAction } from './quick-action.js';
export { defuseUrls, inlineUserText, quoteUserText, removeInvisible } from './quote.js';
export { headingKey, parseSections } from './sections.js';
export type { Section } from './sections.js';
export { MASS_MENTIONS, USERNAME_PATTERN, isMassMention, isPersonName, isUsername, mentionsIn } from './username.js';
export type { Mention } from './username.js';
