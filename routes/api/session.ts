import { define } from "../../lib/define.ts";
import {
  createSession,
  safeEqual,
  sessionCookie,
} from "../../lib/http/auth.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { readJsonObject } from "../../lib/http/json.ts";
import { services } from "../../lib/services.ts";

export const handler = define.handlers({
  /** `{ "token" }` → 204 with an HttpOnly, SameSite=Strict `session` cookie. */
  async POST(ctx) {
    const { apiToken } = services().config;
    const body = await readJsonObject(ctx.req);
    if (!apiToken) return new Response(null, { status: 204 });
    if (typeof body.token !== "string" || !safeEqual(body.token, apiToken)) {
      throw new ApiError(
        "unauthorized",
        "That token is not right. Check API_TOKEN and try again.",
      );
    }
    const secure = ctx.url.protocol === "https:";
    return new Response(null, {
      status: 204,
      headers: {
        "set-cookie": sessionCookie(await createSession(apiToken), secure),
      },
    });
  },

  /** Signs out. */
  DELETE(ctx) {
    return new Response(null, {
      status: 204,
      headers: {
        "set-cookie": sessionCookie(null, ctx.url.protocol === "https:"),
      },
    });
  },
});
