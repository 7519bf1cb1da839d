import {
  compression,
  requestLog,
  securityHeaders,
} from "../lib/http/middlewares.ts";

/** Outer first: log (sees the final status), security headers, compression. */
export const handler = [requestLog(), securityHeaders(), compression()];
