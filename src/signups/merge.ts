// After the calendar changes, the freshly rendered sign-up text takes over the issue, carrying
// over what people wrote: every DRI line and every ticked box. A session dropped from the
// calendar that someone had signed up for stays, flagged, instead of vanishing. Pure.
import { defuseQuickActions } from '../markdown/index.js';
import type { Session } from './calendar.js';
import { driText } from './claims.js';
import { codeLines, joinParts, linesOf, splitParts, type Part } from './blocks.js';
import { CHECK_MARKER, DRI_MARKER, REMOVED_MARKER, removedMarker, TASK_ITEM, VERSION_MARKER } from './markers.js';

/**
 * The merged text is sent by the bot, so a line people wrote that starts with "/" is escaped on
 * the way: GitLab would otherwise run it as a quick action with the bot's permissions.
 */
export function mergeSignupDescription(existing: string, freshlyRendered: string, sessions: Session[]): string {
  const before = VERSION_MARKER.exec(existing)?.[1];
  // Same fingerprint: the calendar and template are what they were when the bot last wrote, so
  // whatever people did since stays exactly as it is.
  if (before !== undefined && before === VERSION_MARKER.exec(freshlyRendered)?.[1]) return existing;

  const people = readPeople(existing);
  const current = new Set(sessions.map((s) => s.id));
  const freshParts = splitParts(freshlyRendered);
  const inFresh = new Set(freshParts.flatMap((p) => (p.type === 'session' ? [p.id] : [])));

  const kept: string[][] = [];
  const seen = new Set<string>();
  for (const part of splitParts(existing)) {
    if (part.type !== 'session' || current.has(part.id) || inFresh.has(part.id) || seen.has(part.id)) continue;
    seen.add(part.id);
    if (hasPeopleState(part.lines, part.id)) kept.push(flagRemoved(part.lines, part.id));
  }

  const out: Part[] = [];
  for (const part of freshParts) {
    if (part.type === 'session') {
      out.push({ ...part, lines: carry(part.lines, part.id, people) });
      continue;
    }
    if (part.type === 'sessions-end' && kept.length > 0) {
      out.push({ type: 'text', lines: kept.flatMap((block) => [...block, '']) });
    }
    out.push(part);
  }
  if (kept.length > 0 && !freshParts.some((p) => p.type === 'sessions-end')) {
    out.push({ type: 'text', lines: kept.flatMap((block) => ['', ...block]) });
  }
  const merged = defuseQuickActions(joinParts(out));
  return merged === existing ? existing : merged;
}

interface PeopleState {
  /** Session id → the DRI lines people wrote, verbatim, in order. */
  dri: Map<string, string[]>;
  /** "key:session id" of every ticked box. */
  ticked: Set<string>;
}

function readPeople(text: string): PeopleState {
  const lines = linesOf(text);
  const fenced = codeLines(text);
  const dri = new Map<string, string[]>();
  const ticked = new Set<string>();
  lines.forEach((line, i) => {
    if (fenced[i]) return;
    const d = DRI_MARKER.exec(line);
    if (d?.[1]) {
      dri.set(d[1], [...(dri.get(d[1]) ?? []), line]);
      return;
    }
    const c = CHECK_MARKER.exec(line);
    if (c && TASK_ITEM.exec(line)?.[2]?.match(/[xX]/)) ticked.add(`${c[1]}:${c[2]}`);
  });
  return { dri, ticked };
}

/** The fresh block with the people's DRI lines in place of the empty slot, and their ticks. */
function carry(lines: string[], id: string, people: PeopleState): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (DRI_MARKER.exec(line)?.[1] === id) {
      out.push(...(people.dri.get(id) ?? [line]));
      continue;
    }
    const c = CHECK_MARKER.exec(line);
    if (c?.[2] === id && people.ticked.has(`${c[1]}:${id}`)) {
      out.push(line.replace(TASK_ITEM, '$1x$3$4'));
      continue;
    }
    out.push(line);
  }
  return out;
}

function hasPeopleState(lines: string[], id: string): boolean {
  return lines.some((line) => {
    const box = TASK_ITEM.exec(line);
    const ticked = box !== null && box[2] !== ' ';
    if (DRI_MARKER.exec(line)?.[1] === id) return ticked || driText(line) !== '';
    return ticked && CHECK_MARKER.exec(line)?.[2] === id;
  });
}

function flagRemoved(lines: string[], id: string): string[] {
  if (lines.some((l) => REMOVED_MARKER.exec(l)?.[1] === id)) return lines;
  const flag =
    `> **Removed from the calendar.** Someone had signed up for this session or ticked a box, so Rhythm ` +
    `keeps it here instead of deleting it. Delete this block once it is sorted out. ${removedMarker(id)}`;
  const [begin, ...rest] = lines;
  return begin === undefined ? [flag] : [begin, flag, ...rest];
}
