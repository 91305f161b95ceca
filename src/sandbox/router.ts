// A small path router: patterns like '/projects/:id/issues/:issue_iid'. The raw path is split on
// '/' before decoding, so a URL-encoded project path ('group%2Fproject') stays one segment.

export interface RouteMatch<H> {
  pattern: string;
  params: Record<string, string>;
  handler: H;
}

interface Route<H> {
  method: string;
  pattern: string;
  segments: string[];
  handler: H;
}

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, pattern: string, handler: H): this {
    this.routes.push({ method: method.toUpperCase(), pattern, segments: split(pattern), handler });
    return this;
  }

  /** The first route with this method whose pattern fits the path. */
  match(method: string, rawPath: string): RouteMatch<H> | undefined {
    const parts = split(rawPath);
    for (const r of this.routes) {
      if (r.method !== method.toUpperCase() || r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = r.segments[i] as string;
        let part: string;
        try {
          part = decodeURIComponent(parts[i] as string);
        } catch {
          ok = false;
          break;
        }
        if (seg.startsWith(':')) params[seg.slice(1)] = part;
        else ok = seg === part;
      }
      if (ok) return { pattern: r.pattern, params, handler: r.handler };
    }
    return undefined;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}
