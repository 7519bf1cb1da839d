import { define, DomainError, readJsonObject } from "../../lib/api/mod.ts";
import {
  createSession,
  safeEqual,
  sessionCookie,
} from "../../lib/http/auth.ts";

export const handler = define.handlers({
  /** `{ "token" }` → 204 with an HttpOnly, SameSite=Strict `session` cookie. */
  async POST(ctx) {
    const { apiToken } = ctx.state.web.settings;
    const body = await readJsonObject(ctx.req);
    if (!apiToken) return new Response(null, { status: 204 });
    if (typeof body.token !== "string" || !safeEqual(body.token, apiToken)) {
      throw new DomainError(
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
