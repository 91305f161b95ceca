// GitLab writes timestamps two ways: REST uses ISO 8601 with milliseconds, webhook builders
// use Ruby's "YYYY-MM-DD HH:MM:SS UTC". Receivers must read both, so the sandbox sends both.

export function restTime(ms: number): string;
export function restTime(ms: number | null): string | null;
export function restTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function hookTime(ms: number): string;
export function hookTime(ms: number | null): string | null;
export function hookTime(ms: number | null): string | null {
  if (ms === null) return null;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
