// Where a problem sits in the file, as 1-based line and column. Values that are not in the file
// (filled in by a default or the environment) are placed at the nearest ancestor that is.
import { isMap, isNode, isScalar, type Document, type LineCounter } from 'yaml';
import type { ConfigProblem, KeyPath } from './problem.js';

export interface Position {
  line: number;
  col: number;
}

function keyOffset(doc: Document, path: KeyPath): number | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const name = path[path.length - 1];
  for (const pair of parent.items) {
    const key = pair.key;
    if (isScalar(key) && key.value === name && key.range) return key.range[0];
  }
  return undefined;
}

function valueOffset(doc: Document, path: KeyPath): number | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

export function positionOf(doc: Document, lines: LineCounter, problem: ConfigProblem): Position {
  let offset = problem.offset;
  if (offset === undefined && problem.on === 'key' && problem.path.length > 0) {
    offset = keyOffset(doc, problem.path);
  }
  offset ??= valueOffset(doc, problem.path);
  return offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
}
