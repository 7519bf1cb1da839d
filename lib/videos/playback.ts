/**
 * Signed playback tokens for private videos: `<expiry>.<mac>`, where expiry is Unix seconds
 * and mac the first 128 bits of HMAC-SHA-256(secret, "reel-play:v1:<videoId>:<expiry>") in
 * base64url. The token travels in the stream path (`/stream/<id>/t/<token>/master.m3u8`), so
 * the relative URIs of playlists, MPDs, segments and sprites inherit it with no rewriting,
 * and any web node holding the secret checks it without a database read.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { DomainError } from "../core/errors.ts";

/** Bounds and default of a playback link's lifetime (`POST …/playback` `ttlSec`). */
export const MIN_TTL_SEC = 60;
export const MAX_TTL_SEC = 86_400;
export const DEFAULT_TTL_SEC = 3_600;

/** Lifetime of the links in the owner's own views, rounded to whole hours so they stay put. */
const VIEW_TTL_SEC = 6 * 3_600;

/** The outcome of checking a token. */
export type TokenCheck = "ok" | "expired" | "invalid";

const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{22})$/;

/** A signed playback link's token and when it stops working. */
export interface PlaybackGrant {
  token: string;
  expiresAt: Date;
}

/** Issues and checks playback tokens with one secret. */
export class PlaybackSigner {
  #secret: string;

  constructor(secret: string) {
    if (secret.length < 32) {
      throw new Error(
        "A playback signing secret needs at least 32 characters.",
      );
    }
    this.#secret = secret;
  }

  #mac(videoId: string, expiresSec: number): string {
    return createHmac("sha256", this.#secret)
      .update(`reel-play:v1:${videoId}:${expiresSec}`)
      .digest()
      .subarray(0, 16)
      .toString("base64url");
  }

  /** A token for `videoId` valid until `expiresSec` (Unix seconds). */
  sign(videoId: string, expiresSec: number): string {
    return `${expiresSec}.${this.#mac(videoId, expiresSec)}`;
  }

  /** A token valid for `ttlSec` from `now`. */
  issue(videoId: string, ttlSec: number, now = Date.now()): PlaybackGrant {
    const expiresSec = Math.floor(now / 1000) + ttlSec;
    return {
      token: this.sign(videoId, expiresSec),
      expiresAt: new Date(expiresSec * 1000),
    };
  }

  /**
   * The token of the owner's own pages and JSON: valid 6 to 7 hours, the same for every
   * request within an hour, so live updates of a video do not change its stream URLs.
   */
  forViews(videoId: string, now = Date.now()): string {
    const hour = 3_600;
    const expiresSec = (Math.floor(now / 1000 / hour) + 1) * hour +
      VIEW_TTL_SEC;
    return this.sign(videoId, expiresSec);
  }

  /** Checks a token against a video; the MAC is compared before the expiry is looked at. */
  check(videoId: string, token: string, now = Date.now()): TokenCheck {
    const m = TOKEN.exec(token);
    if (!m) return "invalid";
    const expiresSec = Number(m[1]);
    const want = Buffer.from(this.#mac(videoId, expiresSec));
    const got = Buffer.from(m[2]);
    if (want.length !== got.length || !timingSafeEqual(want, got)) {
      return "invalid";
    }
    return expiresSec * 1000 > now ? "ok" : "expired";
  }
}

/** The `forbidden` error of a token that did not check out. */
export function tokenError(check: Exclude<TokenCheck, "ok">): DomainError {
  return new DomainError(
    "forbidden",
    check === "expired"
      ? "This playback link has expired; ask the owner for a new one."
      : "This playback link is not valid for this video.",
  );
}

/** `ttlSec` of a playback request: absent → the default; else a whole number in bounds. */
export function validateTtl(raw: unknown): number {
  if (raw === undefined || raw === null) return DEFAULT_TTL_SEC;
  if (
    typeof raw !== "number" || !Number.isInteger(raw) || raw < MIN_TTL_SEC ||
    raw > MAX_TTL_SEC
  ) {
    throw new DomainError(
      "bad_request",
      `ttlSec must be a whole number of seconds from ${MIN_TTL_SEC} to ${MAX_TTL_SEC}.`,
    );
  }
  return raw;
}
