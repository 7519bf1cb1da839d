/**
 * Video ids: lowercase RFC 4122 UUIDs issued by the app. Anything else from a URL is refused
 * before it reaches a store or a path.
 *
 * @module
 */

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True for a lowercase RFC 4122 UUID, the only ids this app issues. */
export function isVideoId(id: string): boolean {
  return UUID.test(id);
}

/** A new id (random UUID). */
export function newId(): string {
  return crypto.randomUUID();
}
