// How a schema is written out as JSON: a node that explains itself (it has a description, or holds
// one that does) gets one key per line; anything else (a list of required keys, a default, an
// items schema of one line) stays on one line. That is the layout schemas/*.json were written in.

function explains(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (!Array.isArray(value) && 'description' in value) return true;
  return Object.values(value).some(explains);
}

function oneLine(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([key, child]) => `${JSON.stringify(key)}: ${oneLine(child)}`).join(', ')} }`;
}

function layout(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object' || !explains(value)) return oneLine(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((child) => inner + layout(child, inner)).join(',\n')}\n${indent}]`;
  const lines = Object.entries(value).map(([key, child]) => `${inner}${JSON.stringify(key)}: ${layout(child, inner)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** The schema as the text of a .json file, ending in a newline. */
export function schemaJson(schema: object): string {
  return `${layout(schema, '')}\n`;
}
