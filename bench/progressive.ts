/**
 * Play in seconds: time from the upload's answer to the first frame playing in the app's own
 * player (headless Chromium, hls.js), and on to `ready`, for a 10-minute copy-eligible clip, a
 * HEVC 10-bit clip and the noisy clip; and the cost of progressive publishing: `transcode()`
 * with `singlePass: true` beside the default two-phase transcode of the noisy clip.
 */
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { probe } from "../lib/media/probe.ts";
import { transcode } from "../lib/media/transcode.ts";
import { copyEligible, FFMPEG, FFPROBE } from "./app_args.ts";
import { deleteVideo, uploadFile, type Video, waitFinished } from "./client.ts";
import { prepareInputs, prepareProgressiveInputs } from "./inputs.ts";
import type { Options } from "./options.ts";
import { median, processCpu } from "./proc.ts";
import type { Target as Server } from "./transcode.ts";

/** How long a first frame may take before the run counts as failed. */
const FIRST_FRAME_TIMEOUT_MS = 180_000;

/** One upload played in the browser. */
export interface PlayRun {
  /** Seconds from the upload's answer until the SSE stream said `playable` (null: never). */
  playableSec: number | null;
  /** … until the page had hydrated. */
  hydratedSec: number;
  /** … until "Play video" was clicked. */
  clickSec: number;
  /** … until the video played: a `timeupdate` after `playing` with time > 0, not paused. */
  firstFrameSec: number;
  /** … until the SSE stream said `ready` (the whole ladder). */
  readySec: number;
  /** The video's status when the first frame played. */
  statusAtFirstFrame: string;
  /** Whether the server ran a stream copy of the top rung (read from ffmpeg's command line). */
  copied: boolean;
  /** Console errors and page errors in the player page. */
  pageErrors: string[];
}

/** One input's runs and their medians. */
export interface PlayFigure {
  name: string;
  label: string;
  bytes: number;
  seconds: number;
  /** Whether the app's probe finds it copy-eligible (the checks `transcode()` makes). */
  copyEligible: boolean;
  /** Copy-eligible 10-minute 1080p: the stricter target applies. */
  strict: boolean;
  median: {
    playableSec: number | null;
    firstFrameSec: number;
    readySec: number;
    clickSec: number;
  };
  runs: PlayRun[];
}

/** One single-pass or progressive `transcode()` of the noisy clip. */
export interface LadderRun {
  wallSec: number;
  cpuSec: number;
  firstPublishSec: number | null;
}

/** The regression check: single-pass vs progressive transcode, alternated. */
export interface RegressionFigure {
  clipSec: number;
  singlePass: LadderRun;
  progressive: LadderRun;
  /** Median of the per-run ratios progressive wall ÷ single-pass wall. */
  ratio: number;
  cpuRatio: number;
  runs: { order: string; singlePass: LadderRun; progressive: LadderRun }[];
}

/** The whole section. */
export interface ProgressiveResult {
  play: PlayFigure[];
  regression: RegressionFigure;
}

/** Installed before the page's own scripts: records (epoch ms) when the video first plays. */
function firstFrameProbe(): void {
  const w = globalThis as unknown as { __firstFrameAt?: number };
  let playing = false;
  // Media events do not bubble; listening in the capture phase sees the player's <video>
  // whenever it appears.
  document.addEventListener("playing", () => (playing = true), true);
  document.addEventListener("timeupdate", (e) => {
    const v = e.target as HTMLVideoElement;
    if (
      playing && w.__firstFrameAt === undefined && v.currentTime > 0 &&
      !v.paused
    ) {
      w.__firstFrameAt = Date.now();
    }
  }, true);
}

/**
 * Watches the server's ffmpeg children and reports whether any of them stream-copied a video
 * (`-c:v:N copy`): the copy fast path really ran.
 */
function watchCopy(pid: number): { stop(): Promise<boolean> } {
  let copied = false;
  let running = true;
  const loop = (async () => {
    while (running && !copied) {
      for await (const e of Deno.readDir("/proc")) {
        if (!/^\d+$/.test(e.name)) continue;
        try {
          const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
          const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          if (Number(after[1]) !== pid || !stat.includes("(ffmpeg)")) continue;
          const args = (await Deno.readTextFile(`/proc/${e.name}/cmdline`))
            .split("\0");
          copied ||= args.some((a, i) =>
            a === "copy" && /^-c:v(:\d+)?$/.test(args[i - 1] ?? "")
          );
        } catch { /* gone meanwhile */ }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return copied;
    },
  };
}

/**
 * Uploads `input`, then opens its player page, clicks "Play video" as soon as it can be
 * clicked, and times the first frame; then closes the page and waits for `ready`. Every time
 * counts from the moment the upload's answer arrived.
 */
export async function playOnce(
  server: Server,
  browser: Browser,
  input: string,
): Promise<PlayRun> {
  const context = await browser.newContext();
  const watcher = watchCopy(server.pid);
  let id: string | null = null;
  try {
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (err) => pageErrors.push(`pageerror: ${err.message}`));
    await page.addInitScript(firstFrameProbe);

    const uploaded = await uploadFile(server.url, input);
    const t0 = Date.now();
    id = uploaded.id;
    const since = (at: number) => (at - t0) / 1000;
    let playableAt: number | null = null;
    let finishedAt = 0;
    let last: Video = uploaded;
    const finished = waitFinished(server.url, uploaded.id, (v) => {
      last = v;
      if (v.playable && playableAt === null) playableAt = Date.now();
      if (v.status === "ready" || v.status === "failed") {
        finishedAt = Date.now();
      }
    });
    finished.catch(() => {}); // awaited below; a failure then is reported there

    await page.goto(`${server.url}/player/${uploaded.id}`, {
      waitUntil: "domcontentloaded",
    });
    await page.waitForFunction(
      () => document.documentElement.dataset.hydrated === "true",
    );
    const hydratedAt = Date.now();
    // The page turns into the player by itself once the video is playable (SSE).
    await page.getByRole("button", { name: "Play video" }).click({
      timeout: FIRST_FRAME_TIMEOUT_MS,
    });
    const clickAt = Date.now();
    const handle = await page.waitForFunction(
      () =>
        (globalThis as unknown as { __firstFrameAt?: number }).__firstFrameAt,
      null,
      { timeout: FIRST_FRAME_TIMEOUT_MS },
    );
    const firstFrameAt = await handle.jsonValue() as number;
    const statusAtFirstFrame = last.status;
    // Playing on would take CPU from the rest of the ladder: close the page.
    await context.close();
    const { video } = await finished;
    if (video.status !== "ready") {
      throw new Error(`the app failed to transcode ${input}: ${video.error}`);
    }
    return {
      playableSec: playableAt === null ? null : since(playableAt),
      hydratedSec: since(hydratedAt),
      clickSec: since(clickAt),
      firstFrameSec: since(firstFrameAt),
      readySec: since(finishedAt),
      statusAtFirstFrame,
      copied: await watcher.stop(),
      pageErrors,
    };
  } finally {
    await watcher.stop();
    await context.close().catch(() => {});
    // Ten minutes of 1080p streams per run add up: free the disk.
    if (id) await deleteVideo(server.url, id).catch(() => {});
  }
}

/** One `transcode()` of `input` into a fresh folder under `work`, timed. */
export async function ladderOnce(
  input: string,
  work: string,
  singlePass: boolean,
): Promise<LadderRun> {
  const info = await probe(input, { ffprobePath: FFPROBE });
  const dir = await Deno.makeTempDir({ dir: work, prefix: "ladder-" });
  const pub = join(dir, "published");
  await Deno.mkdir(pub);
  try {
    const cpu0 = await processCpu("self");
    const t0 = performance.now();
    const result = await transcode({
      input,
      info,
      outDir: join(dir, "out"),
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      singlePass,
      // What the job does with published files on local disk: a copy under its final name.
      onPublish: async (files) => {
        for (const f of files) await Deno.copyFile(f.path, join(pub, f.name));
      },
    });
    const wallSec = (performance.now() - t0) / 1000;
    const cpu1 = await processCpu("self");
    return {
      wallSec,
      cpuSec: cpu1.own + cpu1.children - cpu0.own - cpu0.children,
      firstPublishSec: result.firstPublishSec,
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const medianOrNull = (xs: (number | null)[]): number | null => {
  const ok = xs.filter((x): x is number => x !== null);
  return ok.length === xs.length ? median(ok) : null;
};

const medianRun = (runs: LadderRun[]): LadderRun => ({
  wallSec: median(runs.map((r) => r.wallSec)),
  cpuSec: median(runs.map((r) => r.cpuSec)),
  firstPublishSec: medianOrNull(runs.map((r) => r.firstPublishSec)),
});

/** The whole section: `opts.runs` player runs per input, then the regression check. */
export async function benchProgressive(
  opts: Options,
  server: Server,
  browser: Browser,
  work: string,
  log: (msg: string) => void,
): Promise<ProgressiveResult> {
  const base = await prepareInputs(opts.clipSec, log);
  const extra = await prepareProgressiveInputs(opts.clipSec, log);
  const inputs = [
    {
      name: "long",
      label: `copy-eligible H.264 ${extra.longSec / 60} min 1080p30, 2 s GOP`,
      path: extra.long,
      seconds: extra.longSec,
      strict: true,
    },
    {
      name: "hevc",
      label: `HEVC 10-bit ${extra.hevcSec} s 1080p30`,
      path: extra.hevc,
      seconds: extra.hevcSec,
      strict: false,
    },
    {
      name: "noisy",
      label: `noisy H.264 ${base.seconds} s 1080p30`,
      path: base.noisy,
      seconds: base.seconds,
      strict: false,
    },
  ];
  const eligible = new Map<string, boolean>();
  for (const i of inputs) eligible.set(i.name, await copyEligible(i.path));
  if (!eligible.get("long")) {
    log(`WARNING: the app's probe does not find ${extra.long} copy-eligible`);
  }
  const runs = new Map<string, PlayRun[]>(inputs.map((i) => [i.name, []]));
  for (let r = 1; r <= opts.runs; r++) {
    for (const i of inputs) {
      log(
        `progressive run ${r}/${opts.runs}: ${i.label}, upload → first frame → ready`,
      );
      const run = await playOnce(server, browser, i.path);
      log(
        `  first frame ${
          run.firstFrameSec.toFixed(2)
        } s (${run.statusAtFirstFrame}), ready ${run.readySec.toFixed(1)} s${
          run.copied ? ", top rung copied" : ""
        }`,
      );
      runs.get(i.name)!.push(run);
    }
  }
  const play: PlayFigure[] = [];
  for (const i of inputs) {
    const list = runs.get(i.name)!;
    play.push({
      name: i.name,
      label: i.label,
      bytes: (await Deno.stat(i.path)).size,
      seconds: i.seconds,
      copyEligible: eligible.get(i.name)!,
      strict: i.strict,
      median: {
        playableSec: medianOrNull(list.map((x) => x.playableSec)),
        firstFrameSec: median(list.map((x) => x.firstFrameSec)),
        readySec: median(list.map((x) => x.readySec)),
        clickSec: median(list.map((x) => x.clickSec)),
      },
      runs: list,
    });
  }

  // Side by side, alternating which goes first, so a busy minute hurts both.
  const pairs: RegressionFigure["runs"] = [];
  for (let r = 1; r <= opts.runs; r++) {
    const singleFirst = r % 2 === 1;
    const order = singleFirst
      ? ["single", "progressive"]
      : ["progressive", "single"];
    const got: Record<string, LadderRun> = {};
    for (const kind of order) {
      log(
        `regression run ${r}/${opts.runs}: ${kind} transcode of the noisy clip`,
      );
      got[kind] = await ladderOnce(base.noisy, work, kind === "single");
      log(`  ${got[kind].wallSec.toFixed(1)} s`);
    }
    pairs.push({
      order: order.join(" → "),
      singlePass: got.single,
      progressive: got.progressive,
    });
  }
  return {
    play,
    regression: {
      clipSec: base.seconds,
      singlePass: medianRun(pairs.map((p) => p.singlePass)),
      progressive: medianRun(pairs.map((p) => p.progressive)),
      ratio: median(
        pairs.map((p) => p.progressive.wallSec / p.singlePass.wallSec),
      ),
      cpuRatio: median(
        pairs.map((p) => p.progressive.cpuSec / p.singlePass.cpuSec),
      ),
      runs: pairs,
    },
  };
}
