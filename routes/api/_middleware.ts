import { define } from "../../lib/define.ts";
import {
  ApiError,
  errorResponse,
  toErrorResponse,
} from "../../lib/http/errors.ts";
import { log } from "../../lib/log.ts";

/** Every API error becomes `{ error: { code, message } }`; nothing else leaks. */
export const handler = define.middleware(async (ctx) => {
  let res: Response;
  try {
    res = await ctx.next();
  } catch (err) {
    if (!(err instanceof ApiError)) {
      log.error("api.error", {
        path: ctx.url.pathname,
        error: String(err),
        stack: (err as Error)?.stack,
      });
    }
    return toErrorResponse(err);
  }
  if (
    res.status === 405 && !res.headers.get("content-type")?.includes("json")
  ) {
    const allow = res.headers.get("allow") ?? "";
    return errorResponse("method_not_allowed", `Use one of: ${allow}.`, {
      allow,
    });
  }
  return res;
});
