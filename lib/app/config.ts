/**
 * Configuration from environment variables, parsed once at start-up into a typed value.
 * Every variable is optional; the defaults are listed in the README. A bad value throws one
 * sentence naming the variable.
 *
 * @module
 */
import { resolve } from "node:path";
import { isPostgresUrl, redactUrl } from "../store/postgres/url.ts";

/** The app's settings. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  maxUploadBytes: number;
  transcodeConcurrency: number;
  apiToken: string | null;
  ffmpegPath: string;
  ffprobePath: string;
  publicUrl: string | null;
  corsOrigins: string[];
  rateLimitUploads: number;
  rateLimitWrites: number;
  maxInputWidth: number;
  maxInputHeight: number;
  maxInputFps: number;
  maxDurationSec: number;
  jobLeaseSec: number;
  jobMaxAttempts: number;
  tusExpiryHours: number;
  minFreeDiskBytes: number;
  keepOriginals: boolean;
  /** PostgreSQL (`DATABASE_URL`) shared by every process; null: SQLite in `dataDir`. */
  databaseUrl: string | null;
  /** S3 bucket for originals and streams (`S3_BUCKET`); null: files under `dataDir`. */
  s3Bucket: string | null;
  /** S3-compatible endpoint (`S3_ENDPOINT`, e.g. MinIO); null: AWS. */
  s3Endpoint: string | null;
  /** `S3_REGION`, else `AWS_REGION`, else `us-east-1`. */
  s3Region: string;
  /** Key prefix inside the bucket (`S3_PREFIX`), default none. */
  s3Prefix: string;
  /** HMAC key of playback links (`SIGNING_SECRET`); null: kept in `dataDir`. */
  signingSecret: string | null;
  /** Origins allowed to frame `/embed/…` (`EMBED_ORIGINS`); `["*"]`: any. */
  embedOrigins: string[];
  /** Webhook deliveries run at once by this process (`WEBHOOK_CONCURRENCY`; 0: none). */
  webhookConcurrency: number;
  /** Webhooks may target loopback/private/link-local addresses (`WEBHOOK_ALLOW_PRIVATE`). */
  webhookAllowPrivate: boolean;
  /** First wait before retrying a failed delivery, doubled each time (`WEBHOOK_RETRY_BASE_SEC`). */
  webhookRetryBaseSec: number;
}

type Env = Record<string, string | undefined>;

function readEnv(): Env {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}

function num(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    throw new Error(
      `${name}=${raw} is not valid: expected a number >= ${min}.`,
    );
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new Error(`${name}=${raw} is not valid: expected true or false.`);
}

function databaseUrl(env: Env): string | null {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return null;
  if (!isPostgresUrl(raw)) {
    throw new Error(
      `DATABASE_URL=${
        redactUrl(raw)
      } must start with postgres:// (or be unset for the embedded SQLite database).`,
    );
  }
  return raw;
}

function httpUrl(env: Env, name: string): string | null {
  const raw = env[name]?.trim().replace(/\/+$/, "");
  if (!raw) return null;
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(raw).protocol);
  } catch { /* not a URL */ }
  if (!ok) {
    throw new Error(
      `${name}=${redactUrl(raw)} must be an http:// or https:// URL.`,
    );
  }
  return raw;
}

function signingSecretOf(env: Env): string | null {
  const raw = env.SIGNING_SECRET?.trim();
  if (!raw) return null;
  if (raw.length < 32) {
    throw new Error(
      `SIGNING_SECRET is too short (${raw.length} characters): use at least 32, ` +
        "e.g. the output of openssl rand -hex 32.",
    );
  }
  return raw;
}

function embedOriginsOf(env: Env): string[] {
  const list = (env.EMBED_ORIGINS ?? "*").split(/[\s,]+/).filter(Boolean);
  if (list.length === 0 || list.includes("*")) return ["*"];
  return list.map((raw) => {
    let origin: string | null = null;
    try {
      const u = new URL(raw);
      if (/^https?:$/.test(u.protocol) && u.origin === raw.replace(/\/$/, "")) {
        origin = u.origin;
      }
    } catch { /* not a URL */ }
    if (!origin) {
      throw new Error(
        `EMBED_ORIGINS entry "${raw}" is not an origin: use * or a list like ` +
          "https://blog.example.com,https://example.org (scheme, host and port only).",
      );
    }
    return origin;
  });
}

/** Reads the configuration; `env` defaults to the process environment. Throws on bad values. */
export function loadConfig(env: Env = readEnv()): Config {
  const publicUrl = env.PUBLIC_URL?.trim().replace(/\/+$/, "") || null;
  if (publicUrl && !/^https?:\/\//.test(publicUrl)) {
    throw new Error(
      `PUBLIC_URL=${publicUrl} must start with http:// or https://.`,
    );
  }
  return {
    port: num(env, "PORT", 8000),
    host: env.HOST?.trim() || "0.0.0.0",
    dataDir: resolve(env.DATA_DIR?.trim() || "./data"),
    maxUploadBytes: num(env, "MAX_UPLOAD_BYTES", 2 * 1024 ** 3, 1),
    transcodeConcurrency: Math.floor(num(env, "TRANSCODE_CONCURRENCY", 1)),
    apiToken: env.API_TOKEN || null,
    ffmpegPath: env.FFMPEG_PATH?.trim() || "ffmpeg",
    ffprobePath: env.FFPROBE_PATH?.trim() || "ffprobe",
    publicUrl,
    corsOrigins: (env.CORS_ORIGINS ?? "*").split(",").map((s) => s.trim())
      .filter(Boolean),
    rateLimitUploads: num(env, "RATE_LIMIT_UPLOADS", 60),
    rateLimitWrites: num(env, "RATE_LIMIT_WRITES", 300),
    maxInputWidth: num(env, "MAX_INPUT_WIDTH", 7680, 1),
    maxInputHeight: num(env, "MAX_INPUT_HEIGHT", 4320, 1),
    maxInputFps: num(env, "MAX_INPUT_FPS", 120, 1),
    maxDurationSec: num(env, "MAX_DURATION_SEC", 14400, 1),
    jobLeaseSec: num(env, "JOB_LEASE_SEC", 30, 1),
    jobMaxAttempts: Math.floor(num(env, "JOB_MAX_ATTEMPTS", 3, 1)),
    tusExpiryHours: num(env, "TUS_EXPIRY_HOURS", 24),
    minFreeDiskBytes: num(env, "MIN_FREE_DISK_BYTES", 1024 ** 3),
    keepOriginals: bool(env, "KEEP_ORIGINALS", true),
    databaseUrl: databaseUrl(env),
    s3Bucket: env.S3_BUCKET?.trim() || null,
    s3Endpoint: httpUrl(env, "S3_ENDPOINT"),
    s3Region: env.S3_REGION?.trim() || env.AWS_REGION?.trim() || "us-east-1",
    s3Prefix: env.S3_PREFIX?.trim() ?? "",
    signingSecret: signingSecretOf(env),
    embedOrigins: embedOriginsOf(env),
    webhookConcurrency: Math.floor(num(env, "WEBHOOK_CONCURRENCY", 4)),
    webhookAllowPrivate: bool(env, "WEBHOOK_ALLOW_PRIVATE", false),
    webhookRetryBaseSec: num(env, "WEBHOOK_RETRY_BASE_SEC", 30, 0.01),
  };
}
