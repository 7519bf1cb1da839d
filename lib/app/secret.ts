/**
 * The playback signing secret: `SIGNING_SECRET` when set, else one generated on first start
 * and kept in `DATA_DIR/signing.key` (mode 0600), so restarts keep links valid and processes
 * sharing `DATA_DIR` sign alike. Nodes that share no folder (PostgreSQL) must be given the
 * variable, or each would sign with its own key.
 *
 * @module
 */
import { join } from "node:path";
import type { Config } from "./config.ts";

const FILE = "signing.key";

/** The secret this web process signs playback links with. */
export async function signingSecret(config: Config): Promise<string> {
  if (config.signingSecret) return config.signingSecret;
  if (config.databaseUrl) {
    throw new Error(
      "SIGNING_SECRET must be set when DATABASE_URL is set, so every web node signs " +
        "playback links with the same key (e.g. SIGNING_SECRET=$(openssl rand -hex 32)).",
    );
  }
  const path = join(config.dataDir, FILE);
  const existing = await readSecret(path);
  if (existing) return existing;
  await Deno.mkdir(config.dataDir, { recursive: true });
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
    .join("");
  // Written aside then linked into place: a process starting at the same moment either
  // links first or reads the winner's complete file, never a half-written one.
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temp, secret, { mode: 0o600 });
  try {
    await Deno.link(temp, path);
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  } finally {
    await Deno.remove(temp).catch(() => {});
  }
  const kept = await readSecret(path);
  if (!kept) throw new Error(`${path} is empty; remove it to make a new key.`);
  return kept;
}

async function readSecret(path: string): Promise<string | null> {
  try {
    return (await Deno.readTextFile(path)).trim() || null;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}
