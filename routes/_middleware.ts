import { define, httpMetrics } from "../lib/api/mod.ts";
import {
  compression,
  contentSecurityPolicy,
  requestLog,
  securityHeaders,
} from "../lib/http/middlewares.ts";
import type { State } from "../lib/api/mod.ts";

/** The embed player is the one page other sites may frame (`EMBED_ORIGINS`). */
const isEmbed = (url: URL) => url.pathname.startsWith("/embed/");

/** Outer first: log and metrics (see the final status), security headers, compression. */
export const handler = [
  requestLog<State>(),
  httpMetrics<State>((ctx) => ctx.state.web.metrics.http),
  securityHeaders<State>({
    csp: (ctx) =>
      contentSecurityPolicy(
        ctx.state.web.settings.publicUrl,
        isEmbed(ctx.url) ? ctx.state.web.settings.embedOrigins : null,
      ),
    framable: (ctx) => isEmbed(ctx.url),
  }),
  compression<State>(),
].map((mw) => define.middleware(mw));
