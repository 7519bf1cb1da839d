import assert from "node:assert/strict";
import { DomainError as ApiError, statusOf } from "../../lib/api/mod.ts";
import { parseTitle } from "../../lib/videos/titles.ts";
import {
  checkExtension,
  sanitizeFilename,
} from "../../lib/uploads/filename.ts";
import { tooLarge } from "../../lib/uploads/limits.ts";

Deno.test("filename - strips directories, control characters and NUL but keeps Unicode", () => {
  assert.equal(sanitizeFilename("/etc/passwd"), "passwd");
  assert.equal(sanitizeFilename("C:\\Users\\me\\Clip.MP4"), "Clip.MP4");
  assert.equal(sanitizeFilename("a\u0000b\u0007c\nd\u202e.mp4"), "abcd.mp4");
  assert.equal(sanitizeFilename("  Été 🎬.mkv  "), "Été 🎬.mkv");
  assert.equal(sanitizeFilename("../"), "");
});

Deno.test("filename - caps the name at 255 characters, keeping the extension", () => {
  const name = sanitizeFilename("🎬".repeat(300) + ".mp4");
  assert.equal([...name].length, 255);
  assert.ok(name.endsWith("🎬.mp4"));
  const noExt = sanitizeFilename("é".repeat(300));
  assert.equal(noExt, "é".repeat(255));
});

Deno.test("filename - checks the extension case-insensitively", () => {
  checkExtension("a.MoV", ["mp4", "mov"]);
  assert.throws(
    () => checkExtension("a.mp4.exe", ["mp4"]),
    (e: ApiError) => statusOf(e.code) === 415,
  );
  assert.throws(
    () => checkExtension("mp4", ["mp4"]),
    (e: ApiError) =>
      e.code === "unsupported_type" && /without an extension/.test(e.message),
  );
});

Deno.test("filename - titles are trimmed, blank means none, over 200 characters is refused", () => {
  assert.equal(parseTitle("  a\tb\n c "), "a b c");
  assert.equal(parseTitle("   "), null);
  assert.equal(parseTitle(undefined), null);
  assert.equal(parseTitle("🎬".repeat(200)), "🎬".repeat(200));
  assert.throws(
    () => parseTitle("x".repeat(201)),
    (e: ApiError) => e.code === "bad_request",
  );
});

Deno.test("limits - the too_large message names the size, the limit and the setting", () => {
  assert.equal(
    tooLarge(2e9, 2.3e9).message,
    "File is 2.3 GB; the limit is 2.0 GB (MAX_UPLOAD_BYTES).",
  );
  assert.equal(
    tooLarge(2e9).message,
    "File is larger than the 2.0 GB (MAX_UPLOAD_BYTES) limit.",
  );
});
