/** Matches a URL path against the route table. */
import type { Folder, Route, RouteTable, Segment } from "./fs_routes.ts";

/** A matched route and its decoded parameters. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/**
 * Splits a pathname into URL-decoded segments (one trailing slash ignored).
 * Returns null for a malformed %-sequence, which the caller answers with 404.
 */
export function splitPath(pathname: string): string[] | null {
  const raw = pathname.split("/").slice(1);
  if (raw.length > 0 && raw[raw.length - 1] === "") raw.pop();
  try {
    // Decoding per segment keeps an encoded `%2F` inside one parameter.
    return raw.map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** Finds the first route (in precedence order) that matches the decoded segments. */
export function matchRoute(
  table: RouteTable,
  segments: string[],
): RouteMatch | null {
  for (const route of table.routes) {
    const params = matchSegments(route.segments, segments, true);
    if (params) return { route, params };
  }
  return null;
}

/**
 * The deepest folder outside any `(group)` whose URL prefix matches the path: its
 * middlewares and nearest `_404` answer a request no route matched.
 */
export function notFoundFolder(
  table: RouteTable,
  segments: string[] | null,
): Folder {
  let best = table.root;
  if (!segments) return best;
  for (const folder of table.folders.values()) {
    if (folder.inGroup || folder.segments.length <= best.segments.length) {
      continue;
    }
    if (matchSegments(folder.segments, segments, false)) best = folder;
  }
  return best;
}

function matchSegments(
  pattern: Segment[],
  path: string[],
  exact: boolean,
): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i];
    if (seg.kind === "rest") {
      params[seg.value] = path.slice(i).join("/");
      return params;
    }
    if (i >= path.length) return null;
    if (seg.kind === "static") {
      if (path[i] !== seg.value) return null;
    } else {
      if (path[i] === "") return null;
      params[seg.value] = path[i];
    }
  }
  return !exact || pattern.length === path.length ? params : null;
}
