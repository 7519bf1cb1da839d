import { define } from "../../lib/define.ts";
import { HttpError } from "../../lib/fresh/mod.ts";
import {
  ApiError,
  errorResponse,
  toErrorResponse,
} from "../../lib/http/errors.ts";
import { rateLimit, requireToken, sameOrigin } from "../../lib/http/guards.ts";
import { log } from "../../lib/log.ts";
import { services } from "../../lib/services.ts";

const config = () => services().config;

/** Every API error becomes `{ error: { code, message } }`; nothing else leaks. */
const jsonErrors = define.middleware(async function jsonErrors(ctx) {
  try {
    return await ctx.next();
  } catch (err) {
    if (err instanceof HttpError && err.status === 405) {
      const allow = new Headers(err.headers).get("allow") ?? "";
      return errorResponse(
        "method_not_allowed",
        `This endpoint accepts: ${allow}.`,
        { allow },
      );
    }
    if (err instanceof HttpError && err.status === 404) {
      return errorResponse(
        "not_found",
        "There is no API endpoint at this path.",
      );
    }
    if (!(err instanceof ApiError)) {
      log.error("api.error", { path: ctx.url.pathname, error: String(err) });
    }
    return toErrorResponse(err);
  }
});

/** Outer first: JSON errors, same-origin check, rate limits, then the token. */
export const handler = [
  jsonErrors,
  sameOrigin(config),
  rateLimit(config),
  requireToken(config),
];
