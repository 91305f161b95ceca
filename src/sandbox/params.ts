// Request parameters as Grape sees them: query string and body merged (body wins), arrays as
// `key[]=a&key[]=b` or JSON arrays, nested keys as `not[labels]=x`, values coerced on read.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, { message: `404 ${what} Not Found` });
export const missing = (key: string): ApiError => new ApiError(400, { error: `${key} is missing` });
export const invalid = (key: string): ApiError => new ApiError(400, { error: `${key} is invalid` });

export function parseForm(search: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of search) {
    const arr = /^(.+)\[\]$/.exec(rawKey);
    const nested = /^([^[\]]+)\[([^[\]]+)\]$/.exec(rawKey);
    if (arr) {
      const key = arr[1] as string;
      const prev = out[key];
      const earlier: unknown[] = Array.isArray(prev) ? prev : [];
      out[key] = [...earlier, value];
    } else if (nested) {
      const outer = nested[1] as string;
      const obj = (typeof out[outer] === 'object' && out[outer] !== null && !Array.isArray(out[outer]) ? out[outer] : {}) as Record<
        string,
        unknown
      >;
      obj[nested[2] as string] = value;
      out[outer] = obj;
    } else {
      out[rawKey] = value;
    }
  }
  return out;
}

/** What String() makes of a value from a form or a JSON body, whose only objects are lists and maps. */
function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? v.join(',') : '[object Object]';
}

export class Params {
  constructor(private readonly values: Record<string, unknown>) {}

  static merge(query: URLSearchParams, body: unknown): Params {
    const fromBody = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    return new Params({ ...parseForm(query), ...fromBody });
  }

  has(key: string): boolean {
    return this.values[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.values[key];
  }

  str(key: string): string | undefined {
    const v = this.values[key];
    if (v === undefined) return undefined;
    if (v === null) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw invalid(key);
  }

  /** A string that may be sent as null or "" to clear (due_date). */
  nullableStr(key: string): string | null | undefined {
    const v = this.values[key];
    if (v === undefined) return undefined;
    if (v === null || v === '') return null;
    return this.str(key);
  }

  int(key: string): number | undefined {
    const v = this.values[key];
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n)) throw invalid(key);
    return n;
  }

  bool(key: string): boolean | undefined {
    const v = this.values[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'boolean') return v;
    const s = asText(v).toLowerCase();
    if (['true', '1', 't', 'yes'].includes(s)) return true;
    if (['false', '0', 'f', 'no'].includes(s)) return false;
    throw invalid(key);
  }

  /** Comma string or array (each element may itself hold commas); trimmed, blanks dropped. */
  list(key: string): string[] | undefined {
    const v = this.values[key];
    if (v === undefined || v === null) return v === null ? [] : undefined;
    const parts = Array.isArray(v) ? v.map(String) : [asText(v)];
    return parts
      .flatMap((p) => p.split(','))
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  intList(key: string): number[] | undefined {
    const l = this.list(key);
    if (l === undefined) return undefined;
    return l.map((s) => {
      if (!/^-?\d+$/.test(s)) throw invalid(key);
      return Number(s);
    });
  }

  nested(key: string): Params {
    const v = this.values[key];
    return new Params(v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  }
}
