// "did you mean …?" for unknown keys: the allowed key nearest by edit distance, if it is near.

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The allowed key a typo most likely meant, or undefined when none is close. */
export function closestKey(typed: string, allowed: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  let best: { key: string; score: number } | undefined;
  for (const key of allowed) {
    const score = distance(lower, key.toLowerCase());
    if (!best || score < best.score) best = { key, score };
  }
  // Allow about one slip per three characters, and at least two: "moderater", "dryrun", "tz" no.
  const limit = Math.max(2, Math.floor(typed.length / 3));
  return best && best.score <= limit ? best.key : undefined;
}
