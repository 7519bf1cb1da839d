/** Shared fixtures for the lib/http tests: a temp directory with real files. */

export const BASE = "http://localhost";

/** Deterministic bytes 0..255 repeated, so any slice can be checked by position. */
export function pattern(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = i % 251;
  return out;
}

/** A few KB of repetitive text, big enough to be compressed. */
export function text(lines = 200): string {
  return Array.from(
    { length: lines },
    (_, i) => `console.log("line ${i} of a bundle that compresses well");`,
  ).join("\n");
}

/** Runs `fn` with a fresh temp dir that is removed afterwards. */
export async function withTempDir(
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "http_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export function get(path: string, headers?: HeadersInit): Request {
  return new Request(BASE + path, { headers });
}

export async function bytes(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}
