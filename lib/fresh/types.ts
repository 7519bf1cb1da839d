/**
 * Public types of the Fresh-compatible runtime: route modules, the request context,
 * page props and the generated manifest.
 */
import type { ComponentType, VNode } from "preact";

/** HTTP methods a route module can handle by name. */
export type Method =
  | "GET"
  | "HEAD"
  | "POST"
  | "PUT"
  | "PATCH"
  | "DELETE"
  | "OPTIONS";

/** What a handler returns to render the route's page: made by {@link page}. */
export interface PageResponse<Data = unknown> {
  /** Passed to the page as `props.data`. */
  data: Data;
  /** Response status (default 200). */
  status?: number;
  /** Extra response headers. */
  headers?: HeadersInit;
}

/** The one context object a request's middlewares and handler share (Fresh 2 style). */
export interface FreshContext<State = Record<string, unknown>> {
  /** The incoming request. */
  readonly req: Request;
  /** `req.url`, parsed. */
  readonly url: URL;
  /** URL-decoded route parameters (`[id]`, `[...rest]`). */
  readonly params: Record<string, string>;
  /** Shared by every middleware and the handler of this request. */
  state: State;
  /** Connection info from `Deno.serve` (remote address). */
  readonly info: Deno.ServeHandlerInfo;
  /** The matched route pattern, e.g. `/api/videos/[id]`; null when no route matched. */
  readonly route: string | null;
  /** In middleware: runs the rest of the chain. Errors arrive as rejections. */
  next(): Promise<Response>;
  /** Renders the matched route's page with `data`. */
  render(data?: unknown, init?: ResponseInit): Promise<Response>;
}

/** A route handler for one method (or all methods). */
export type HandlerFn<Data = unknown, State = Record<string, unknown>> = (
  ctx: FreshContext<State>,
) =>
  | Response
  | PageResponse<Data>
  | Promise<Response | PageResponse<Data>>;

/** Handlers keyed by HTTP method. */
export type HandlerByMethod<Data = unknown, State = Record<string, unknown>> =
  Partial<Record<Method, HandlerFn<Data, State>>>;

/** A route module's `handler` export: one function or an object keyed by method. */
export type RouteHandler<Data = unknown, State = Record<string, unknown>> =
  | HandlerFn<Data, State>
  | HandlerByMethod<Data, State>;

/** A `_middleware` module's `handler`: it calls `ctx.next()` to continue. */
export type Middleware<State = Record<string, unknown>> = (
  ctx: FreshContext<State>,
) => Response | Promise<Response>;

/** Props of a page component (and of `_404` / `_error` pages). */
export interface PageProps<Data = unknown, State = Record<string, unknown>> {
  /** What the handler passed to `page(data)` / `ctx.render(data)`. */
  data: Data;
  url: URL;
  params: Record<string, string>;
  state: State;
  /** The matched route pattern, or null (404 pages). */
  route: string | null;
  /** The thrown value, on `_error` and `_404` pages. */
  error?: unknown;
}

/** Props of `_app` and `_layout` components: render `<Component />` for the inner page. */
export interface LayoutProps<Data = unknown, State = Record<string, unknown>>
  extends PageProps<Data, State> {
  Component: ComponentType;
}

/** A page component. */
export type PageComponent<Data = unknown, State = Record<string, unknown>> = (
  props: PageProps<Data, State>,
) => VNode | null;

/** What a module under `routes/` may export. */
export interface RouteModule {
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<any>;
  // deno-lint-ignore no-explicit-any
  handler?: RouteHandler<any, any> | Middleware<any> | Middleware<any>[];
  // deno-lint-ignore no-explicit-any
  handlers?: RouteHandler<any, any>;
}

/** What a module under `islands/` exports: its default export is the island. */
export interface IslandModule {
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<any>;
}

/** The generated `fresh.gen.ts` manifest. */
export interface Manifest {
  /** Keyed by path relative to the project root, e.g. `./routes/index.tsx`. */
  routes: Record<string, RouteModule>;
  /** Keyed by path relative to the project root, e.g. `./islands/Counter.tsx`. */
  islands: Record<string, IslandModule>;
  /** `import.meta.url` of the manifest; its folder is the project root. */
  baseUrl: string;
}
