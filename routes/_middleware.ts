import {
  compression,
  requestLog,
  securityHeaders,
} from "../lib/http/middlewares.ts";
import { httpMetrics } from "../lib/metrics.ts";
import { services } from "../lib/services.ts";

/** Outer first: log and metrics (see the final status), security headers, compression. */
export const handler = [
  requestLog(),
  httpMetrics(),
  securityHeaders(() => services().config.publicUrl),
  compression(),
];
