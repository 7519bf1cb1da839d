import assert from "node:assert/strict";
import { describeItem, type UploadItem } from "../../lib/ui/upload_item.ts";

const base: UploadItem = {
  key: "u1",
  fingerprint: "f",
  name: "clip.mp4",
  size: 27_000_000,
  file: null,
  phase: "uploading",
  sent: 12_150_000,
  speed: 4_100_000,
  secondsLeft: 3.6,
  retryAt: null,
  error: null,
  videoId: null,
  video: null,
};

Deno.test("upload item - uploading shows percent, bytes, speed and time left", () => {
  assert.equal(
    describeItem(base),
    "45% · 12 MB of 27 MB · 4.1 MB/s · 4 s left",
  );
  assert.equal(
    describeItem({ ...base, speed: 0, secondsLeft: NaN }),
    "45% · 12 MB of 27 MB",
  );
});

Deno.test("upload item - retries count down", () => {
  assert.equal(
    describeItem({ ...base, phase: "retrying", retryAt: 10_000 }, 6_500),
    "Connection lost at 45%. Retrying in 4 s…",
  );
});

Deno.test("upload item - errors show the API's message as is", () => {
  assert.equal(
    describeItem({
      ...base,
      phase: "error",
      error: "This file is not a video.",
    }),
    "This file is not a video.",
  );
});

Deno.test("upload item - processing follows the video", () => {
  assert.equal(
    describeItem({ ...base, phase: "processing" }),
    "Uploaded. Waiting to be processed…",
  );
  const video = {
    status: "processing",
    progress: 0.374,
  } as UploadItem["video"];
  assert.equal(
    describeItem({ ...base, phase: "processing", video }),
    "Processing 37%",
  );
  const starting = { status: "processing", progress: 0 } as UploadItem["video"];
  assert.equal(
    describeItem({ ...base, phase: "processing", video: starting }),
    "Processing…",
  );
  assert.equal(describeItem({ ...base, phase: "ready" }), "Ready to play");
});
