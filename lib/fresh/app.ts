/**
 * `createApp()`: serves `static/` files and built island assets, then dispatches to the
 * file-system routes through their `_middleware` chain, and turns errors into `_error` /
 * `_404` pages at the outermost level.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveDir } from "../http/serve_dir.ts";
import { ASSET_PREFIX, loadAssets } from "./build.ts";
import { createContext, LOCAL_INFO, runChain } from "./context.ts";
import { HttpError, isPageResponse, statusOf } from "./define.ts";
import {
  buildRouteTable,
  type Folder,
  folderChain,
  type Route,
} from "./fs_routes.ts";
import { islandName, registerIsland } from "./islands.ts";
import { type Assets, RELOAD_SCRIPT_URL, renderDocument } from "./render.ts";
import { reloadResponse, reloadScriptResponse } from "./reload.ts";
import { matchRoute, notFoundFolder, splitPath } from "./router.ts";
import type {
  FreshContext,
  HandlerFn,
  Manifest,
  Method,
  Middleware,
  PageProps,
} from "./types.ts";

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The generated `fresh.gen.ts` default export. */
  manifest: Manifest;
  /** Project root; default: the manifest's folder. */
  root?: string;
  /** Default `<root>/static`. */
  staticDir?: string;
  /** Build output of `dev.ts build`; default `<root>/_fresh`. */
  buildDir?: string;
  /** Live reload; default: env `FRESH_DEV=1` (set by dev.ts). */
  dev?: boolean;
  /**
   * App-level middleware, run before the routes' `_middleware` chain on every route
   * request (Fresh 2's `app.use()`): the place to put the process's parts on `ctx.state`.
   */
  // deno-lint-ignore no-explicit-any
  use?: Middleware<any>[];
}

/** A request handler for `Deno.serve`. */
export interface App {
  handler: (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response>;
}

const IMMUTABLE = "public, max-age=31536000, immutable";
const METHODS: Method[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
];

/**
 * Creates the app handler.
 *
 * @example Deno.serve(createApp({ manifest }).handler);
 */
export function createApp(opts: AppOptions): App {
  const root = opts.root ?? dirname(fileURLToPath(opts.manifest.baseUrl));
  const staticDir = opts.staticDir ?? join(root, "static");
  const buildDir = opts.buildDir ?? join(root, "_fresh");
  const dev = opts.dev ?? envFlag("FRESH_DEV");
  const table = buildRouteTable(opts.manifest.routes);
  const appMiddlewares = (opts.use ?? []) as Middleware[];
  for (const [key, mod] of Object.entries(opts.manifest.islands)) {
    if (typeof mod.default === "function") {
      registerIsland(mod.default, islandName(key));
    }
  }
  // Static files are listed once (dev restarts the server on changes), so a request for
  // a route costs no file-system lookups in static/.
  const staticFiles = listStaticFiles(staticDir);
  let assets: Promise<Assets | null> | null = null;
  const getAssets = (): Promise<Assets | null> =>
    assets ??= loadAssets(buildDir);

  const renderPage = async (
    // deno-lint-ignore no-explicit-any
    page: any,
    chain: Folder[],
    props: PageProps,
    init?: ResponseInit,
  ): Promise<Response> => {
    const html = renderDocument({
      app: table.app,
      layouts: chain.flatMap((f) => f.layout ? [f.layout] : []),
      page,
      props,
      assets: await getAssets(),
      dev,
    });
    const headers = new Headers(init?.headers);
    if (!headers.has("content-type")) {
      headers.set("content-type", "text/html; charset=utf-8");
    }
    return new Response(html, { status: init?.status ?? 200, headers });
  };

  const handleRoute = async (
    req: Request,
    url: URL,
    info: Deno.ServeHandlerInfo,
  ): Promise<Response> => {
    const segments = splitPath(url.pathname);
    const match = segments ? matchRoute(table, segments) : null;
    const chain = folderChain(
      match ? match.route.folder : notFoundFolder(table, segments),
    );
    const params = match?.params ?? {};
    const route = match?.route.pattern ?? null;
    const ctx: FreshContext = createContext({
      req,
      url,
      params,
      info,
      route,
      render: (data, init) => {
        const page = match?.route.module.default;
        if (!page) {
          return Promise.reject(
            new Error(`${route ?? url.pathname} has no page to render.`),
          );
        }
        return renderPage(page, chain, {
          data,
          url,
          params,
          state: ctx.state,
          route,
        }, init);
      },
    });
    try {
      return await runChain(
        ctx,
        [...appMiddlewares, ...chain.flatMap((f) => f.middlewares)],
        match ? (c) => runHandler(c, match.route) : () => {
          throw new HttpError(404, "Not Found");
        },
      );
    } catch (err) {
      return await renderError(err, ctx, chain);
    }
  };

  const renderError = async (
    err: unknown,
    ctx: FreshContext,
    chain: Folder[],
  ): Promise<Response> => {
    const { req, url, params, state, route } = ctx;
    const status = statusOf(err);
    if (status >= 500) {
      console.error(`Error on ${req.method} ${url.pathname}:`, err);
    }
    const headers = new Headers((err as { headers?: HeadersInit }).headers);
    const nearest = (key: "errorPage" | "notFoundPage"): number =>
      chain.findLastIndex((f) => f[key]);
    let at = status === 404 ? nearest("notFoundPage") : -1;
    const page = at >= 0
      ? chain[at].notFoundPage
      : chain[at = nearest("errorPage")]?.errorPage;
    if (page) {
      const props = { data: undefined, url, params, state, route, error: err };
      try {
        return await renderPage(page, chain.slice(0, at + 1), props, {
          status,
          headers,
        });
      } catch (renderErr) {
        console.error(
          `Error rendering the error page for ${url.pathname}:`,
          renderErr,
        );
      }
    }
    headers.set("content-type", "text/plain; charset=utf-8");
    return new Response(status === 404 ? "Not Found" : "Error", {
      status,
      headers,
    });
  };

  const handler = async (
    req: Request,
    info: Deno.ServeHandlerInfo = LOCAL_INFO,
  ): Promise<Response> => {
    const url = new URL(req.url);
    if (req.method === "GET" || req.method === "HEAD") {
      const path = url.pathname;
      if (path.startsWith(ASSET_PREFIX)) {
        const res = await serveDir(
          req,
          join(buildDir, "js"),
          path.slice(ASSET_PREFIX.length),
          { cacheControl: IMMUTABLE },
        );
        if (res) return res;
      } else if (dev && path === RELOAD_SCRIPT_URL) {
        return reloadScriptResponse();
      } else if (dev && path === "/_fresh/reload") {
        return reloadResponse();
      } else if (dev || staticFiles.has(safeDecode(path))) {
        const res = await serveDir(req, staticDir, path);
        if (res) return res;
      }
    }
    const res = await handleRoute(req, url, info);
    if (req.method === "HEAD" && res.body) {
      await res.body.cancel();
      return new Response(null, { status: res.status, headers: res.headers });
    }
    return res;
  };

  return { handler };
}

async function runHandler(ctx: FreshContext, route: Route): Promise<Response> {
  const mod = route.module;
  const handlers = mod.handler ?? mod.handlers;
  const method = ctx.req.method;
  let fn: HandlerFn | undefined;
  if (typeof handlers === "function") {
    fn = handlers as HandlerFn;
  } else if (handlers) {
    const byMethod = handlers as Partial<Record<string, HandlerFn>>;
    fn = byMethod[method] ?? (method === "HEAD" ? byMethod.GET : undefined);
    if (!fn) {
      const allow = METHODS.filter((m) =>
        byMethod[m] || (m === "HEAD" && byMethod.GET)
      );
      throw new HttpError(405, "Method Not Allowed", {
        headers: { allow: allow.join(", ") },
      });
    }
  } else if (method === "GET" || method === "HEAD") {
    fn = () => ctx.render();
  } else {
    throw new HttpError(405, "Method Not Allowed", {
      headers: { allow: "GET, HEAD" },
    });
  }
  const result = await fn(ctx);
  if (result instanceof Response) return result;
  if (isPageResponse(result)) {
    return await ctx.render(result.data, {
      status: result.status,
      headers: result.headers,
    });
  }
  throw new TypeError(
    `The ${method} handler of ${route.pattern} returned ${typeof result}; ` +
      "return a Response or page(data).",
  );
}

function envFlag(name: string): boolean {
  try {
    return Deno.env.get(name) === "1";
  } catch {
    return false;
  }
}

/** URL paths (`/styles.css`) of every file under `dir`; empty when it does not exist. */
function listStaticFiles(dir: string): Set<string> {
  const out = new Set<string>();
  const walk = (d: string, prefix: string): void => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(d)];
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out.add(`${prefix}${e.name}`);
    }
  };
  walk(dir, "/");
  return out;
}

/** `decodeURIComponent`, or "" for malformed input. */
function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return "";
  }
}
