/**
 * Standard Webhooks signing (npm `standardwebhooks`): `whsec_` secrets and the
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of a delivery. The
 * signature is `v1,` + base64 HMAC-SHA256 of `<id>.<timestamp>.<body>` with the decoded secret.
 *
 * @module
 */
import { Webhook } from "standardwebhooks";

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** The headers of one delivery attempt of message `id` with `body`, signed at `at`. */
export function signedHeaders(
  secret: string,
  id: string,
  body: string,
  at: Date,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "Reel-Webhooks/1",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  };
}
