/// deploy/compose.yaml cannot be started here (no container engine), so this checks what
/// can go wrong in it without one: it is valid YAML; every variable it gives Reel is a real
/// setting, documented in the README and accepted by loadConfig (cluster backends on the
/// compose services' host names); the worker and migrate commands run files that exist,
/// are cached in the image, and carry the server's exact permission flags.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { loadConfig } from "../../lib/app/config.ts";
import { ROOT } from "../../lib/cli/spawn_server.ts";
import { serverPermissions } from "../../lib/cli/permissions.ts";

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
}

const text = await Deno.readTextFile(join(ROOT, "deploy/compose.yaml"));
const doc = parseDocument(text, { merge: true, uniqueKeys: true });
const compose = doc.toJS() as { services: Record<string, Service> };
const reel = Object.entries(compose.services).filter(([, s]) =>
  s.image === "reel"
);

/** `${NAME:-default}` as compose resolves it with nothing set. */
function interpolate(value: string): string {
  return String(value).replace(
    /\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g,
    (_, _name, fallback) => fallback ?? "",
  );
}

/** Every variable name the app reads: config.ts, the logger, the AWS SDK's own. */
async function knownSettings(): Promise<Set<string>> {
  const names = new Set(["LOG_LEVEL", "AWS_SESSION_TOKEN"]);
  const src = await Deno.readTextFile(join(ROOT, "lib/app/config.ts"));
  for (const m of src.matchAll(/env(?:\.|, ")([A-Z][A-Z0-9_]+)/g)) {
    names.add(m[1]);
  }
  for (
    const n of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]
  ) {
    names.add(n);
  }
  return names;
}

Deno.test("compose - parses as YAML with web, worker, PostgreSQL and S3 services", () => {
  assert.deepEqual(doc.errors.map(String), []);
  for (const name of ["web", "worker", "db", "s3", "migrate"]) {
    assert.ok(compose.services[name], `service ${name}`);
  }
  assert.deepEqual(reel.map(([n]) => n).sort(), ["migrate", "web", "worker"]);
  assert.ok(compose.services.web.build, "web builds the image");
});

Deno.test("compose - gives Reel only real, documented settings that loadConfig accepts", async () => {
  const known = await knownSettings();
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  for (const [name, service] of reel) {
    const env = Object.fromEntries(
      Object.entries(service.environment ?? {}).map((
        [k, v],
      ) => [k, interpolate(v)]),
    );
    for (const key of Object.keys(env)) {
      assert.ok(known.has(key), `${name}: ${key} is not a setting Reel reads`);
      assert.ok(readme.includes(`\`${key}\``), `${key} is not in the README`);
    }
    const config = loadConfig(env);
    const db = new URL(config.databaseUrl!);
    assert.ok(
      compose.services[db.hostname],
      `${name}: database host ${db.hostname}`,
    );
    assert.ok(config.s3Bucket, `${name}: S3_BUCKET`);
    const s3 = new URL(config.s3Endpoint!);
    assert.ok(compose.services[s3.hostname], `${name}: S3 host ${s3.hostname}`);
  }
  assert.equal(
    loadConfig(compose.services.web.environment).transcodeConcurrency,
    0,
    "web nodes leave transcoding to the workers",
  );
  assert.ok(
    loadConfig(compose.services.worker.environment).transcodeConcurrency >= 1,
  );
});

Deno.test("compose - worker and migrate run cached entry points with the server's permissions", async () => {
  const dockerfile = await Deno.readTextFile(join(ROOT, "Dockerfile"));
  const cached = /deno cache --frozen ([^\\\n]+)/.exec(dockerfile)![1].split(
    " ",
  );
  const flags = serverPermissions("/app", { DATA_DIR: "/data" });
  for (const name of ["worker", "migrate"]) {
    const cmd = compose.services[name].command!;
    const entry = cmd.at(-1)!;
    assert.ok(existsSync(join(ROOT, entry)), `${name}: ${entry} exists`);
    assert.ok(
      cached.includes(entry),
      `${name}: ${entry} is cached in the image`,
    );
    assert.deepEqual(
      cmd.slice(0, -1),
      ["deno", "run", "--cached-only", "--frozen", ...flags],
    );
  }
});
