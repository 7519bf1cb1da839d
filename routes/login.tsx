import { define } from "../lib/api/mod.ts";
import { page } from "../lib/fresh/mod.ts";
import {
  createSession,
  isAuthorized,
  safeEqual,
  sessionCookie,
} from "../lib/http/auth.ts";

interface Data {
  required: boolean;
  signedIn: boolean;
  error: string | null;
}

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { apiToken } = ctx.state.web.settings;
    return page({
      required: apiToken !== null,
      signedIn: apiToken !== null && await isAuthorized(ctx.req, apiToken),
      error: null,
    });
  },

  /** The sign-in form (works without JavaScript): sets the session cookie, back to `/`. */
  async POST(ctx) {
    const { apiToken } = ctx.state.web.settings;
    const form = await ctx.req.formData().catch(() => new FormData());
    const secure = ctx.url.protocol === "https:";
    if (form.get("action") === "signout") {
      return new Response(null, {
        status: 303,
        headers: {
          location: "/login",
          "set-cookie": sessionCookie(null, secure),
        },
      });
    }
    const token = form.get("token");
    if (!apiToken) {
      return new Response(null, { status: 303, headers: { location: "/" } });
    }
    if (typeof token !== "string" || !safeEqual(token, apiToken)) {
      return page({
        required: true,
        signedIn: false,
        error: "That token is not right.",
      }, {
        status: 401,
      });
    }
    return new Response(null, {
      status: 303,
      headers: {
        location: "/",
        "set-cookie": sessionCookie(await createSession(apiToken), secure),
      },
    });
  },
});

export default define.page<typeof handler>(function Login({ data }) {
  return (
    <section class="auth-card">
      <h1>Sign in</h1>
      {!data.required && (
        <p>This server has no API token set: everyone may upload.</p>
      )}
      {data.required && data.signedIn && (
        <form method="post" action="/login">
          <p>You are signed in and can upload, rename and delete videos.</p>
          <input type="hidden" name="action" value="signout" />
          <button type="submit">Sign out</button>
        </form>
      )}
      {data.required && !data.signedIn && (
        <form method="post" action="/login" class="stack">
          <p class="muted">
            Uploading and changing videos needs the server's access token
            (API_TOKEN).
          </p>
          <label for="token">Access token</label>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="current-password"
            required
            aria-invalid={data.error ? "true" : undefined}
            aria-describedby={data.error ? "token-error" : undefined}
          />
          {data.error && (
            <p id="token-error" class="error" role="alert">{data.error}</p>
          )}
          <button type="submit" class="primary">Sign in</button>
        </form>
      )}
    </section>
  );
});
