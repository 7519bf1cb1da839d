/**
 * Turns the manifest's `routes/` modules into a route table: URL patterns sorted by
 * precedence, plus the per-folder `_middleware`, `_layout`, `_404` and `_error` modules.
 */
import type { ComponentType } from "preact";
import type { Middleware, RouteModule } from "./types.ts";

/** One URL segment of a route pattern. */
export interface Segment {
  kind: "static" | "param" | "rest";
  /** The literal text (static) or the parameter name. */
  value: string;
}

/** A folder under `routes/` with its special modules. */
export interface Folder {
  /** Path below `routes/`, e.g. `""`, `"api"`, `"(app)/player"`. */
  dir: string;
  /** The URL segments the folder adds (groups add none). */
  segments: Segment[];
  /** True when the folder or one of its parents is a `(group)`. */
  inGroup: boolean;
  parent: Folder | null;
  middlewares: Middleware[];
  // deno-lint-ignore no-explicit-any
  layout?: ComponentType<any>;
  // deno-lint-ignore no-explicit-any
  errorPage?: ComponentType<any>;
  // deno-lint-ignore no-explicit-any
  notFoundPage?: ComponentType<any>;
}

/** A page or handler route. */
export interface Route {
  /** E.g. `/api/videos/[id]`. */
  pattern: string;
  segments: Segment[];
  module: RouteModule;
  folder: Folder;
}

/** Everything the router needs. */
export interface RouteTable {
  /** Sorted: static before `[param]` before `[...rest]`, position by position. */
  routes: Route[];
  folders: Map<string, Folder>;
  root: Folder;
  // deno-lint-ignore no-explicit-any
  app?: ComponentType<any>;
}

const RANK = { static: 0, param: 1, rest: 2 } as const;

/** Builds the route table from manifest keys like `./routes/api/[id].ts`. */
export function buildRouteTable(
  modules: Record<string, RouteModule>,
): RouteTable {
  const root: Folder = {
    dir: "",
    segments: [],
    inGroup: false,
    parent: null,
    middlewares: [],
  };
  const folders = new Map<string, Folder>([["", root]]);
  const table: RouteTable = { routes: [], folders, root };

  const folderFor = (parts: string[]): Folder => {
    let folder = root;
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i + 1).join("/");
      let next = folders.get(dir);
      if (!next) {
        const seg = parseSegment(parts[i], dir, i === parts.length - 1);
        next = {
          dir,
          segments: seg ? [...folder.segments, seg] : folder.segments,
          inGroup: folder.inGroup || seg === null,
          parent: folder,
          middlewares: [],
        };
        folders.set(dir, next);
      }
      folder = next;
    }
    return folder;
  };

  const seen = new Map<string, string>();
  for (const key of Object.keys(modules).sort()) {
    const mod = modules[key];
    const rel = key.replace(/^\.\/routes\//, "").replace(/\.[jt]sx?$/, "");
    const parts = rel.split("/");
    const name = parts.pop()!;
    const folder = folderFor(parts);
    if (name.startsWith("_")) {
      attachSpecial(table, folder, name, mod, key);
      continue;
    }
    if (!mod.default && !mod.handler && !mod.handlers) {
      throw new Error(
        `${key} must export a default page component or a \`handler\`.`,
      );
    }
    const seg = name === "index" ? null : parseSegment(name, rel, true);
    if (seg === null && name !== "index") {
      throw new Error(`${key}: a (group) must be a folder, not a file.`);
    }
    const segments = seg ? [...folder.segments, seg] : folder.segments;
    if (segments.slice(0, -1).some((s) => s.kind === "rest")) {
      throw new Error(`${key}: [...rest] must be the last segment of a route.`);
    }
    const pattern = toPattern(segments);
    const other = seen.get(pattern);
    if (other) {
      throw new Error(
        `${key} and ${other} both map to ${pattern}; remove one.`,
      );
    }
    seen.set(pattern, key);
    table.routes.push({ pattern, segments, module: mod, folder });
  }
  table.routes.sort((a, b) => compareSegments(a.segments, b.segments));
  return table;
}

function attachSpecial(
  table: RouteTable,
  folder: Folder,
  name: string,
  mod: RouteModule,
  key: string,
): void {
  const need = () => {
    if (typeof mod.default !== "function") {
      throw new Error(`${key} must default-export a component.`);
    }
    return mod.default;
  };
  switch (name) {
    case "_app":
      if (folder.dir !== "") {
        throw new Error(
          `${key}: _app is only allowed in routes/; use _layout here.`,
        );
      }
      table.app = need();
      break;
    case "_layout":
      folder.layout = need();
      break;
    case "_error":
      folder.errorPage = need();
      break;
    case "_404":
      folder.notFoundPage = need();
      break;
    case "_middleware": {
      const h = mod.handler ?? mod.handlers;
      const list = Array.isArray(h) ? h : [h];
      if (list.some((fn) => typeof fn !== "function")) {
        throw new Error(
          `${key} must export \`handler\`: a middleware function or an array of them.`,
        );
      }
      folder.middlewares = list as Middleware[];
      break;
    }
    default:
      // Other `_`-prefixed files are private helpers, not routes.
  }
}

function parseSegment(
  part: string,
  where: string,
  last: boolean,
): Segment | null {
  if (/^\(.+\)$/.test(part)) return null;
  let m = part.match(/^\[\.\.\.([A-Za-z_$][\w$]*)\]$/);
  if (m) {
    if (!last) throw new Error(`routes/${where}: [...${m[1]}] must be last.`);
    return { kind: "rest", value: m[1] };
  }
  m = part.match(/^\[([A-Za-z_$][\w$]*)\]$/);
  if (m) return { kind: "param", value: m[1] };
  if (/[[\]()]/.test(part)) {
    throw new Error(
      `routes/${where}: "${part}" is not a valid segment; use "name", "[name]", ` +
        `"[...name]" or a "(group)" folder.`,
    );
  }
  return { kind: "static", value: part };
}

/** The pattern string of a segment list, e.g. `/api/videos/[id]`. */
export function toPattern(segments: Segment[]): string {
  return "/" +
    segments.map((s) =>
      s.kind === "static"
        ? s.value
        : s.kind === "param"
        ? `[${s.value}]`
        : `[...${s.value}]`
    ).join("/");
}

function compareSegments(a: Segment[], b: Segment[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const ra = i < a.length ? RANK[a[i].kind] : -1;
    const rb = i < b.length ? RANK[b[i].kind] : -1;
    if (ra !== rb) return ra - rb;
  }
  return 0;
}

/** The folder and its parents, outermost first. */
export function folderChain(folder: Folder): Folder[] {
  const chain: Folder[] = [];
  for (let f: Folder | null = folder; f; f = f.parent) chain.unshift(f);
  return chain;
}
