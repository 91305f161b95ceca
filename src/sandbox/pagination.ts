// GitLab's offset pagination: page/per_page (default 20, max 100), the Link header
// (rel prev/next/first/last, which is all gitbeaker follows) and the x-* headers.
// Past 10,000 results GitLab leaves out x-total, x-total-pages and rel="last".

const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;
const COUNT_LIMIT = 10_000;

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/** `url` is the full request URL (base + /api/v4 + path + query); its query is kept in every link. */
export function paginate<T>(all: readonly T[], url: URL): Page<T> {
  const q = url.searchParams;
  const perPage = clamp(intParam(q.get('per_page')) ?? DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, DEFAULT_PER_PAGE);
  const page = Math.max(1, intParam(q.get('page')) ?? 1);
  const total = all.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const next = page < totalPages ? page + 1 : null;
  const prev = page > 1 ? Math.min(page - 1, totalPages) : null;
  const counted = total <= COUNT_LIMIT;

  const link = (p: number): string => {
    const u = new URL(url.href);
    u.searchParams.set('page', String(p));
    u.searchParams.set('per_page', String(perPage));
    return `<${u.href}>`;
  };
  const links: string[] = [];
  if (prev !== null) links.push(`${link(prev)}; rel="prev"`);
  if (next !== null) links.push(`${link(next)}; rel="next"`);
  links.push(`${link(1)}; rel="first"`);
  if (counted) links.push(`${link(totalPages)}; rel="last"`);

  const headers: Record<string, string> = {
    Link: links.join(', '),
    'X-Page': String(page),
    'X-Per-Page': String(perPage),
    'X-Next-Page': next === null ? '' : String(next),
    'X-Prev-Page': prev === null ? '' : String(prev),
  };
  if (counted) {
    headers['X-Total'] = String(total);
    headers['X-Total-Pages'] = String(totalPages);
  }
  return { items, headers };
}

function intParam(v: string | null): number | undefined {
  if (v === null || !/^-?\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

function clamp(n: number, lo: number, hi: number, fallback: number): number {
  if (n < lo) return fallback;
  return Math.min(n, hi);
}
