/**
 * Turns the API's error responses (`{ "error": { "code", "message" } }`) into something the
 * UI can show: the server's own sentence when there is one, a plain fallback otherwise.
 */

/** An API failure the UI can show next to the thing that failed. */
export class ApiFailure extends Error {
  /** The API's error code (`too_large`, `not_a_video`, …), `network`, or `http_<status>`. */
  readonly code: string;
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number;

  /** Creates a failure; `message` is meant for people. */
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = "ApiFailure";
    this.code = code;
    this.status = status;
  }
}

const FALLBACK: Record<number, string> = {
  400: "The server could not understand the request.",
  401: "Please sign in to do that.",
  403: "This action is not allowed from here.",
  404: "It no longer exists on the server.",
  409: "That is not possible in the video's current state.",
  413: "This file is too large.",
  415: "This file type is not supported. Choose a video file.",
  422: "This video is outside the limits the server accepts.",
  429: "Too many requests. Please wait a moment and try again.",
  507: "The server is out of storage space.",
};

/**
 * Builds an {@link ApiFailure} from a response's status and body text. Uses the JSON error's
 * message when the body has one.
 *
 * @example parseApiFailure(413, '{"error":{"code":"too_large","message":"File is 3 GB"}}')
 */
export function parseApiFailure(status: number, body: string): ApiFailure {
  try {
    const parsed = JSON.parse(body) as {
      error?: { code?: unknown; message?: unknown };
    };
    const e = parsed?.error;
    if (e && typeof e.message === "string" && e.message.trim()) {
      const code = typeof e.code === "string" ? e.code : `http_${status}`;
      return new ApiFailure(code, e.message.trim(), status);
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): use the fallback below.
  }
  const message = FALLBACK[status] ??
    (status >= 500
      ? "The server had a problem. Please try again in a moment."
      : `The request failed (HTTP ${status}).`);
  return new ApiFailure(`http_${status}`, message, status);
}

/** The failure of a request that got no answer (offline, connection reset). */
export function networkFailure(): ApiFailure {
  return new ApiFailure(
    "network",
    "Could not reach the server. Check your connection and try again.",
    0,
  );
}

/**
 * `fetch` for the JSON API: resolves with the parsed body (null for 204) or rejects with an
 * {@link ApiFailure} carrying the server's message.
 */
export async function apiFetch<T>(
  url: string,
  init: RequestInit = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: {
        accept: "application/json",
        ...(init.body && !(init.body instanceof FormData)
          ? { "content-type": "application/json" }
          : {}),
        ...init.headers,
      },
    });
  } catch (err) {
    if ((err as Error)?.name === "AbortError") throw err;
    throw networkFailure();
  }
  const text = await res.text();
  if (!res.ok) throw parseApiFailure(res.status, text);
  return (text ? JSON.parse(text) : null) as T;
}
