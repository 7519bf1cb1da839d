/**
 * Container health check (the Dockerfile's `HEALTHCHECK`): asks the local server's
 * `/healthz` and exits 0 on a 200, 1 otherwise, so the image needs no curl.
 *
 * Usage: `deno run --no-config --allow-net=127.0.0.1 --allow-env=PORT lib/cli/healthcheck.ts`
 */

/** The `/healthz` URL of a server listening on `port` on this machine. */
export function healthUrl(port: string | undefined): string {
  const p = Number(port?.trim() || "8000");
  if (!Number.isInteger(p) || p < 1 || p > 65535) {
    throw new Error(`PORT=${port} is not a valid port (1–65535).`);
  }
  return `http://127.0.0.1:${p}/healthz`;
}

/** True when `url` answers 200 within `timeoutMs`. */
export async function isHealthy(
  url: string,
  timeoutMs = 4000,
): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const url = healthUrl(Deno.env.get("PORT"));
  const ok = await isHealthy(url);
  if (!ok) console.error(`unhealthy: ${url} did not answer 200`);
  Deno.exit(ok ? 0 : 1);
}
