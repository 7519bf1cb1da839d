import assert from "node:assert/strict";
import { parseApiFailure } from "../../lib/ui/api_error.ts";

Deno.test("api error - uses the JSON error's code and message", () => {
  const f = parseApiFailure(
    415,
    JSON.stringify({
      error: { code: "not_a_video", message: "This file is not a video." },
    }),
  );
  assert.equal(f.code, "not_a_video");
  assert.equal(f.message, "This file is not a video.");
  assert.equal(f.status, 415);
});

Deno.test("api error - falls back to plain words for non-JSON bodies", () => {
  assert.equal(
    parseApiFailure(413, "<html>").message,
    "This file is too large.",
  );
  assert.equal(
    parseApiFailure(502, "").message,
    "The server had a problem. Please try again in a moment.",
  );
  assert.equal(parseApiFailure(418, "{}").code, "http_418");
});
