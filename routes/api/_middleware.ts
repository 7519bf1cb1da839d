import {
  define,
  jsonErrors,
  rateLimit,
  requireToken,
  sameOrigin,
  type State,
} from "../../lib/api/mod.ts";

/** Outer first: JSON errors, same-origin check, rate limits, then the token. */
export const handler = [
  jsonErrors<State>(),
  sameOrigin(),
  rateLimit({
    uploads: ["/api/videos", "/api/uploads"],
    // tus data PATCHes belong to an upload already counted at its creation.
    exempt: ["/api/uploads/"],
  }),
  requireToken(["/api/session"], ["/api/webhooks"]),
].map((mw) => define.middleware(mw));
