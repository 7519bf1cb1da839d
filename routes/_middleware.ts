import { define, httpMetrics } from "../lib/api/mod.ts";
import {
  compression,
  contentSecurityPolicy,
  requestLog,
  securityHeaders,
} from "../lib/http/middlewares.ts";
import type { State } from "../lib/api/mod.ts";

/** Outer first: log and metrics (see the final status), security headers, compression. */
export const handler = [
  requestLog<State>(),
  httpMetrics<State>((ctx) => ctx.state.web.metrics.http),
  securityHeaders<State>({
    csp: (ctx) => contentSecurityPolicy(ctx.state.web.settings.publicUrl),
  }),
  compression<State>(),
].map((mw) => define.middleware(mw));
