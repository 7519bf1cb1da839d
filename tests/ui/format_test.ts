import assert from "node:assert/strict";
import {
  formatBitrate,
  formatBytes,
  formatDate,
  formatDuration,
  formatPercent,
  formatResolution,
  formatSpeed,
  formatTimeLeft,
} from "../../lib/ui/format.ts";

Deno.test("format - durations are m:ss, then h:mm:ss", () => {
  assert.equal(formatDuration(0), "0:00");
  assert.equal(formatDuration(8.9), "0:08");
  assert.equal(formatDuration(83), "1:23");
  assert.equal(formatDuration(3600), "1:00:00");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(null), "--:--");
  assert.equal(formatDuration(NaN), "--:--");
  assert.equal(formatDuration(Infinity), "--:--");
});

Deno.test("format - sizes use decimal units like file managers", () => {
  assert.equal(formatBytes(0), "0 bytes");
  assert.equal(formatBytes(1), "1 byte");
  assert.equal(formatBytes(999), "999 bytes");
  assert.equal(formatBytes(1500), "1.5 KB");
  assert.equal(formatBytes(7_544_675), "7.5 MB");
  assert.equal(formatBytes(120_000_000), "120 MB");
  assert.equal(formatBytes(999_990), "1.0 MB");
  assert.equal(formatBytes(2_300_000_000), "2.3 GB");
  assert.equal(formatBytes(-1), "—");
});

Deno.test("format - speeds, bitrates and time left", () => {
  assert.equal(formatSpeed(4_200_000), "4.2 MB/s");
  assert.equal(formatSpeed(0), "—");
  assert.equal(formatBitrate(800_000), "800 kb/s");
  assert.equal(formatBitrate(2_500_000), "2.5 Mb/s");
  assert.equal(formatBitrate(14_000_000), "14 Mb/s");
  assert.equal(formatBitrate(null), "—");
  assert.equal(formatTimeLeft(7.2), "8 s left");
  assert.equal(formatTimeLeft(180), "3 min left");
  assert.equal(formatTimeLeft(3900), "1 h 5 min left");
  assert.equal(formatTimeLeft(NaN), "");
});

Deno.test("format - resolutions are named by their short side", () => {
  assert.equal(formatResolution(1920, 1080), "1080p");
  assert.equal(formatResolution(1080, 1920), "1080p");
  assert.equal(formatResolution(854, 480), "480p");
  assert.equal(formatResolution(null, 720), "");
});

Deno.test("format - percentages are clamped whole numbers", () => {
  assert.equal(formatPercent(0.456), "46%");
  assert.equal(formatPercent(1.2), "100%");
  assert.equal(formatPercent(-1), "0%");
  assert.equal(formatPercent(NaN), "0%");
});

Deno.test("format - dates are UTC so server and browser agree", () => {
  assert.equal(formatDate("2026-11-27T23:30:00.000Z"), "Nov 27, 2026");
  assert.equal(formatDate("not a date"), "");
});
