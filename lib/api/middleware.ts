/** The API's error edge: every error below becomes `{ error: { code, message } }`. */
import { DomainError } from "../core/errors.ts";
import { log } from "../core/log.ts";
import { HttpError } from "../fresh/mod.ts";
import type { HttpMiddleware } from "../http/middlewares.ts";
import { errorResponse, toErrorResponse } from "./errors.ts";

/** Maps domain errors to statuses, the router's 404/405 to JSON, and hides the rest (500). */
export function jsonErrors<S>(): HttpMiddleware<S> {
  return async function jsonErrors(ctx) {
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
      if (!(err instanceof DomainError)) {
        log.error("api.error", { path: ctx.url.pathname, error: String(err) });
      }
      return toErrorResponse(err);
    }
  };
}
