/**
 * Who may see a video, one rule for every endpoint: visitors see public and unlisted videos
 * (unlisted ones only by link: never listed, never in the library feed), the owner (the
 * holder of `API_TOKEN` or its session; everyone when no token is set) sees all.
 *
 * @module
 */
import { DomainError } from "../core/errors.ts";
import type { VideoRecord, Visibility } from "../store/ports.ts";

export type { Visibility };

/** Every visibility, the default first. */
export const VISIBILITIES: readonly Visibility[] = [
  "public",
  "unlisted",
  "private",
];

const badVisibility = (raw: unknown) =>
  new DomainError(
    "bad_request",
    `visibility ${
      typeof raw === "string" ? `"${raw.slice(0, 40)}" ` : ""
    }is not valid: use one of ${VISIBILITIES.join(", ")}.`,
  );

/** A visibility value from a client; `bad_request` naming the allowed values otherwise. */
export function validateVisibility(raw: unknown): Visibility {
  if (typeof raw === "string" && VISIBILITIES.includes(raw as Visibility)) {
    return raw as Visibility;
  }
  throw badVisibility(raw);
}

/** The upload field / tus metadata form: null when absent or blank, else validated. */
export function parseVisibility(
  raw: string | null | undefined,
): Visibility | null {
  const value = raw?.trim().toLowerCase();
  return value ? validateVisibility(value) : null;
}

/** True when this viewer may know the video exists (read it, play it by link). */
export function canSee(v: Pick<VideoRecord, "visibility">, owner: boolean) {
  return owner || v.visibility !== "private";
}

/** True when this viewer's library lists the video. */
export function isListed(v: Pick<VideoRecord, "visibility">, owner: boolean) {
  return owner || v.visibility === "public";
}

/** The visibilities a viewer's library lists (all for the owner). */
export function listedFor(owner: boolean): Visibility[] | undefined {
  return owner ? undefined : ["public"];
}
