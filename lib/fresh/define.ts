/** Typing helpers (Fresh 2's `createDefine`), `page()` and `HttpError`. */
import type { ComponentType, VNode } from "preact";
import type {
  LayoutProps,
  Middleware,
  PageProps,
  PageResponse,
  RouteHandler,
} from "./types.ts";

/** The data type a handler renders its page with; `T` itself when `T` is not a handler. */
export type DataOf<T> = T extends RouteHandler<infer D, infer _S> ? D : T;

/** Identity helpers that only add types, bound to one `State`. */
export interface Define<State> {
  /** Types a page; `T` is the data type or `typeof handler`. */
  page<T = unknown>(
    fn: (props: PageProps<DataOf<T>, State>) => VNode | null,
  ): (props: PageProps<DataOf<T>, State>) => VNode | null;
  /** Types a route's handler (a function or an object keyed by method). */
  handlers<
    Data = unknown,
    H extends RouteHandler<Data, State> = RouteHandler<Data, State>,
  >(
    handlers: H,
  ): H;
  /** Types a `_middleware` handler. */
  middleware(fn: Middleware<State>): Middleware<State>;
  /** Types a `_layout` or `_app` component. */
  layout(
    fn: (props: LayoutProps<unknown, State>) => VNode | null,
  ): ComponentType<LayoutProps<unknown, State>>;
}

/**
 * Returns identity helpers typed for `State`, like Fresh 2.
 *
 * @example export const define = createDefine<{ user?: string }>();
 */
export function createDefine<State = Record<string, unknown>>(): Define<State> {
  return {
    page: (fn) => fn,
    handlers: (handlers) => handlers,
    middleware: (fn) => fn,
    layout: (fn) => fn,
  };
}

const PAGE = Symbol.for("fresh.page");

/**
 * What a handler returns to render its route's page with `data`.
 *
 * @example GET: (ctx) => page({ video }, { headers: { "cache-control": "no-store" } })
 */
export function page<Data>(
  data: Data,
  init?: { status?: number; headers?: HeadersInit },
): PageResponse<Data> {
  return { [PAGE]: true, data, status: init?.status, headers: init?.headers } as
    & PageResponse<Data>
    & { [PAGE]: true };
}

/** True for the result of {@link page} or a plain `{ data }` object (Fresh 2). */
export function isPageResponse(value: unknown): value is PageResponse {
  return typeof value === "object" && value !== null &&
    !(value instanceof Response) && (PAGE in value || "data" in value);
}

/**
 * An error with an HTTP status: thrown anywhere below a route it renders the `_error`
 * page (or `_404` for 404) with that status.
 *
 * @example throw new HttpError(404, "No such video");
 */
export class HttpError extends Error {
  /** The response status (400–599). */
  readonly status: number;
  /** Headers to send with the error response (e.g. `Allow` for 405). */
  readonly headers: HeadersInit | undefined;

  /** Creates an error answered with `status`. */
  constructor(
    status: number,
    message?: string,
    opts?: { headers?: HeadersInit; cause?: unknown },
  ) {
    super(message ?? `HTTP ${status}`, { cause: opts?.cause });
    this.name = "HttpError";
    this.status = status;
    this.headers = opts?.headers;
  }
}

/** The status an error maps to: its numeric `status` field (400–599), else 500. */
export function statusOf(err: unknown): number {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" && Number.isInteger(status) &&
      status >= 400 && status <= 599
    ? status
    : 500;
}
