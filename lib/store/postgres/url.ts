/**
 * `DATABASE_URL` helpers shared by the configuration and the PostgreSQL backend (no driver
 * import, so reading the configuration loads no database client).
 *
 * @module
 */

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * The URL without its password and query (which may hold secrets too), for messages. Works
 * on the text alone, so a malformed value (no scheme, unencoded `@` or `/` in the
 * password) leaks nothing either: everything between the first `:` of the user part and the
 * last `@` goes.
 *
 * @example redactUrl("postgres://app:s3cret@db:5432/reel?sslmode=require")
 * // "postgres://app@db:5432/reel"
 */
export function redactUrl(url: string): string {
  const scheme = url.indexOf("://");
  const start = scheme >= 0 ? scheme + 3 : 0;
  let out = url;
  const at = url.lastIndexOf("@");
  if (at >= start) {
    const userinfo = url.slice(start, at);
    const colon = userinfo.indexOf(":");
    out = url.slice(0, start) +
      (colon >= 0 ? userinfo.slice(0, colon) : userinfo) +
      url.slice(at);
  }
  const query = out.slice(start).search(/[?#]/);
  return query >= 0 ? out.slice(0, start + query) : out;
}
