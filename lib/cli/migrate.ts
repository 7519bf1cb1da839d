/**
 * `deno task migrate`: copies an embedded install (`DATA_DIR`: SQLite + files) onto
 * PostgreSQL (`DATABASE_URL`) and/or S3 (`S3_BUCKET`, `S3_ENDPOINT`, AWS credentials),
 * verifies the target and prints a summary. Safe to run again: it copies only what is
 * missing. Stop every process of the old install first. Exits 0 when verified, 1 on a bad
 * setting (one sentence), 2 when the target still differs.
 *
 * @module
 */
import { loadConfig } from "../app/mod.ts";
import { formatReport, migrateInstall } from "../app/migrate.ts";

try {
  const config = loadConfig();
  const target = [
    config.databaseUrl && "PostgreSQL",
    config.s3Bucket && `S3 bucket ${config.s3Bucket}`,
  ].filter(Boolean).join(" + ");
  console.log(`Migrating ${config.dataDir} to ${target || "nothing"}.`);
  const t0 = performance.now();
  const report = await migrateInstall(config, (line) => console.log(line));
  console.log(
    `Done in ${((performance.now() - t0) / 1000).toFixed(1)} s:\n${
      formatReport(report).join("\n")
    }`,
  );
  Deno.exit(report.ok ? 0 : 2);
} catch (err) {
  console.error((err as Error).message);
  Deno.exit(1);
}
