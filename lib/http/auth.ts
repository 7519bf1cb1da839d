/**
 * Optional write protection with `API_TOKEN`: a request is authorized by
 * `Authorization: Bearer <token>` or by the `session` cookie that `POST /api/session` sets.
 * The cookie is stateless (expiry + HMAC keyed by the token), so every web process accepts
 * it and changing `API_TOKEN` signs everybody out.
 */

/** Cookie name of a signed-in browser. */
export const SESSION_COOKIE = "session";
const SESSION_DAYS = 30;
const enc = new TextEncoder();

async function hmac(token: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(`reel-session:${token}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, enc.encode(data)),
  );
  return btoa(String.fromCharCode(...sig)).replace(
    /[+/=]/g,
    (c) => c === "+" ? "-" : c === "/" ? "_" : "",
  );
}

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = enc.encode(a);
  const y = enc.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}

/** Reads one cookie from a request. */
export function getCookie(req: Request, name: string): string | null {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      return part.slice(i + 1).trim();
    }
  }
  return null;
}

/** A new session cookie value for `token`. */
export async function createSession(
  token: string,
  now = Date.now(),
): Promise<string> {
  const expires = String(now + SESSION_DAYS * 86_400_000);
  return `${expires}.${await hmac(token, expires)}`;
}

/** The `Set-Cookie` header that signs a browser in (`value`) or out (null). */
export function sessionCookie(value: string | null, secure: boolean): string {
  const attrs = [
    `${SESSION_COOKIE}=${value ?? ""}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    value ? `Max-Age=${SESSION_DAYS * 86_400}` : "Max-Age=0",
  ];
  if (secure) attrs.push("Secure");
  return attrs.join("; ");
}

/** True when no token is configured, or the request carries the token or a valid session. */
export async function isAuthorized(
  req: Request,
  token: string | null,
): Promise<boolean> {
  if (!token) return true;
  const auth = req.headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) {
    return safeEqual(auth.slice(7).trim(), token);
  }
  const cookie = getCookie(req, SESSION_COOKIE);
  if (!cookie) return false;
  const [expires, sig] = cookie.split(".");
  if (
    !expires || !sig || !/^\d+$/.test(expires) || Number(expires) < Date.now()
  ) return false;
  return safeEqual(sig, await hmac(token, expires));
}
