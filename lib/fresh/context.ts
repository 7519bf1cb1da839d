/** The per-request context object and the middleware chain that shares it. */
import type { FreshContext, Middleware } from "./types.ts";

/** Connection info used when the handler is called without one (tests). */
export const LOCAL_INFO: Deno.ServeHandlerInfo = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 0 },
  completed: Promise.resolve(),
} as unknown as Deno.ServeHandlerInfo;

/** Creates the context of one request; `render` is bound by the app. */
export function createContext(init: {
  req: Request;
  url: URL;
  params: Record<string, string>;
  info: Deno.ServeHandlerInfo;
  route: string | null;
  render: FreshContext["render"];
}): FreshContext {
  return {
    ...init,
    state: {},
    next: noNext,
  };
}

function noNext(): Promise<Response> {
  return Promise.reject(
    new Error("ctx.next() is only available in middleware."),
  );
}

/**
 * Runs `middlewares` outer first, then `last`. Each middleware sees the same `ctx`;
 * its `ctx.next()` runs the rest and rejects with whatever the rest throws.
 */
export function runChain(
  ctx: FreshContext,
  middlewares: Middleware[],
  last: (ctx: FreshContext) => Promise<Response>,
): Promise<Response> {
  const dispatch = async (i: number): Promise<Response> => {
    if (i === middlewares.length) {
      ctx.next = noNext;
      return await last(ctx);
    }
    ctx.next = () => dispatch(i + 1);
    const res = await middlewares[i](ctx);
    if (!(res instanceof Response)) {
      throw new TypeError(
        `Middleware #${
          i + 1
        } for ${ctx.url.pathname} returned ${typeof res}; ` +
          "return a Response, e.g. `return await ctx.next();`.",
      );
    }
    return res;
  };
  return dispatch(0);
}
