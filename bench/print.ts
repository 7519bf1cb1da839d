/**
 * The bench's printed tables: one per section, and the targets with whether each is met.
 */
import { bytes, num, table, type Target, times } from "./report.ts";
import type { Figure, TranscodeResult } from "./transcode.ts";
import type { UploadFigure, UploadResult } from "./upload.ts";
import type { PageWeight } from "./pages.ts";
import type { ServeResult } from "./serve.ts";
import type { Options } from "./options.ts";
import type { LadderRun, ProgressiveResult } from "./progressive.ts";

export function printTranscode(t: TranscodeResult): void {
  const m = t.median;
  const row = (name: string, f: Figure) => [
    name,
    num(f.wallSec),
    num(f.cpuSec),
    `${num(f.realtime, 2)}×`,
    f.outBytes ? bytes(f.outBytes) : "–",
    f.renditions,
  ];
  console.log(
    `\n1. Transcode — noisy ${t.clipSec} s 1080p30 clip (${
      bytes(t.inputs.noisyBytes)
    }), medians of ${t.runs.length} run(s)\n`,
  );
  console.log(table(
    ["", "wall s", "CPU s", "realtime", "output", "renditions"],
    [
      row("app, upload done → ready", m.app),
      row("app's ffmpeg command, bare", m.appBare),
      row("tutorial's two commands", m.tutorial),
      row("decode only (ffmpeg -f null)", m.floor),
    ],
  ));
  console.log(
    `\napp vs tutorial: ${times(t.ratios.appVsTutorial)} faster (CPU ${
      times(t.ratios.appCpuVsTutorial)
    } less); app overhead over its bare command: ${
      num(t.ratios.appOverhead * 100)
    }% wall, ${
      num(t.ratios.appCpuOverhead * 100)
    }% CPU (the server process itself: ${
      num(m.app.serverCpuSec)
    } s); same ffmpeg arguments: ${t.argsMatch ? "yes" : "NO"}`,
  );
  console.log(`\nQuality vs the source (PSNR dB / SSIM, all planes):\n`);
  console.log(table(
    ["", "PSNR", "SSIM"],
    Object.entries(t.quality).map(([k, q]) => [
      {
        appTopRung: "app top rung (1080p)",
        tutorialDash: "tutorial DASH (1080p, 1500k)",
        tutorialHls: "tutorial HLS (1080p, baseline)",
      }[k] ?? k,
      num(q.psnr, 2),
      num(q.ssim, 4),
    ]),
  ));
  console.log(
    `\n2. Copy fast path — ${t.clipSec} s 1080p30 clip with a 2 s GOP (${
      bytes(t.inputs.copyableBytes)
    })\n`,
  );
  console.log(table(
    ["", "wall s", "CPU s", "realtime", "output", "renditions"],
    [
      row("app, upload done → ready", m.copyApp),
      row("full encode, bare", m.fullBare),
    ],
  ));
  console.log(
    `\ncopy path vs full encode: ${
      times(t.ratios.copyVsFull)
    } faster end to end (CPU: ${times(t.ratios.copyCpuVsFull)} less)`,
  );
  console.log(`\n5. Time to playable (upload answered → …)\n`);
  console.log(table(
    ["", "ready (s)", "first segment fetched (s)"],
    [
      [
        "noisy clip, full ladder",
        num(m.app.wallSec, 2),
        num(m.app.playableSec, 2),
      ],
      [
        "2 s GOP clip, copy path",
        num(m.copyApp.wallSec, 2),
        num(m.copyApp.playableSec, 2),
      ],
    ],
  ));
}

export function printUploads(u: UploadResult): void {
  console.log(`\n3. Upload — ${bytes(u.multipart.bytes)} on loopback\n`);
  const row = (name: string, f: UploadFigure) => [
    name,
    num(f.mbPerSec, 0),
    num(f.seconds, 2),
    bytes(f.idleRssBytes),
    bytes(f.peakOverIdleBytes),
    String(f.status),
  ];
  console.log(table(
    ["", "MB/s", "s", "idle RSS", "peak over idle", "status"],
    [
      row("multipart", u.multipart),
      row("tus (16 MiB PATCHes)", u.tus),
      row(`multipart, chunked (${bytes(u.chunked.bytes)})`, u.chunked),
    ],
  ));
}

export function printServing(s: ServeResult, opts: Options): void {
  console.log(
    `\n4. Serving — ${opts.serveSec} s at 32 connections on 127.0.0.1 (${s.tool})\n`,
  );
  const rows: string[][] = [];
  for (const kind of ["segment", "range"] as const) {
    const a = s.app[kind];
    const n = s.nginx?.[kind];
    rows.push([
      kind === "segment" ? "1 MiB segment" : "64 KiB Range read",
      num(a.requestsPerSec, 0),
      n ? num(n.requestsPerSec, 0) : "–",
      n ? `${num(100 * a.requestsPerSec / n.requestsPerSec, 0)}%` : "–",
      `${num(a.p99Ms)} / ${n ? num(n.p99Ms) : "–"}`,
      String(a.errors + (n?.errors ?? 0)),
    ]);
  }
  console.log(table(
    ["", "app req/s", "nginx req/s", "app/nginx", "p99 ms app/nginx", "errors"],
    rows,
  ));
}

export function printPages(pages: PageWeight[]): void {
  console.log(`\n6. Page weight (gzip)\n`);
  console.log(table(
    ["", "JS", "JS files", "CSS", "HTML", "on demand"],
    pages.map((p) => [
      p.path.startsWith("/player/") ? "/player/:id" : p.path,
      bytes(p.jsGzip),
      String(p.jsFiles),
      bytes(p.cssGzip),
      bytes(p.htmlGzip),
      Object.entries(p.lazyGzip).map(([k, v]) =>
        `${k.replace(/-[A-Z0-9]{8}\.js$/, ".js")} ${bytes(v)}`
      ).join(", ") || "–",
    ]),
  ));
}

export function printProgressive(p: ProgressiveResult): void {
  const n = p.play[0]?.runs.length ?? 0;
  console.log(
    `\n7. Play in seconds — upload answered → first frame playing in the app's player (headless Chromium), medians of ${n} run(s)\n`,
  );
  console.log(table(
    [
      "",
      "size",
      "copy-eligible",
      "playable (SSE) s",
      "clicked s",
      "first frame s",
      "ready s",
      "status at first frame",
    ],
    p.play.map((f) => [
      f.label,
      bytes(f.bytes),
      f.copyEligible
        ? `yes${f.runs.every((r) => r.copied) ? " (copied)" : ""}`
        : "no",
      num(f.median.playableSec, 2),
      num(f.median.clickSec, 2),
      num(f.median.firstFrameSec, 2),
      num(f.median.readySec, 1),
      [...new Set(f.runs.map((r) => r.statusAtFirstFrame))].join(", "),
    ]),
  ));
  const errors = p.play.flatMap((f) => f.runs.flatMap((r) => r.pageErrors));
  if (errors.length) {
    console.log(`\npage errors: ${[...new Set(errors)].join("; ")}`);
  }
  const g = p.regression;
  console.log(
    `\nProgressive vs single-pass transcode() of the noisy ${g.clipSec} s clip, alternated, medians of ${g.runs.length} run(s)\n`,
  );
  const row = (name: string, r: LadderRun) => [
    name,
    num(r.wallSec),
    num(r.cpuSec),
    num(r.firstPublishSec, 1),
  ];
  console.log(table(
    ["", "wall s", "CPU s", "first publish s"],
    [
      row("single pass (singlePass: true)", g.singlePass),
      row("progressive (default)", g.progressive),
    ],
  ));
  console.log(
    `\nprogressive ÷ single pass: ${times(g.ratio)} wall, ${
      times(g.cpuRatio)
    } CPU (median of per-run ratios; runs: ${
      g.runs.map((r) =>
        `${r.order} ${times(r.progressive.wallSec / r.singlePass.wallSec)}`
      )
        .join(", ")
    })`,
  );
}

export function targets(
  t: TranscodeResult | null,
  u: UploadResult | null,
  s: ServeResult | null,
  p: ProgressiveResult | null = null,
): Target[] {
  const out: Target[] = [];
  if (t) {
    out.push({
      figure: "full ladder vs tutorial (noisy clip)",
      value: times(t.ratios.appVsTutorial),
      target: "≥ 1.40× (aim 2×)",
      met: t.ratios.appVsTutorial >= 1.4,
    }, {
      figure: "app overhead over its bare ffmpeg",
      value: `${num(t.ratios.appOverhead * 100)}%`,
      target: "≤ 15%",
      met: t.ratios.appOverhead <= 0.15,
    }, {
      figure: "copy path vs full encode (same clip)",
      value: times(t.ratios.copyVsFull),
      target: "≥ 2×",
      met: t.ratios.copyVsFull >= 2,
    });
  }
  if (u) {
    for (
      const [name, f] of [["multipart", u.multipart], ["tus", u.tus]] as const
    ) {
      out.push({
        figure: `upload ${name} throughput`,
        value: `${num(f.mbPerSec, 0)} MB/s`,
        target: "≥ 300 MB/s (aim 500)",
        met: f.mbPerSec >= 300,
      }, {
        figure: `upload ${name} server RSS over idle`,
        value: bytes(f.peakOverIdleBytes),
        target: "< 100 MB",
        met: f.peakOverIdleBytes < 100e6,
      });
    }
  }
  if (s) {
    for (const kind of ["segment", "range"] as const) {
      const n = s.nginx?.[kind];
      const share = n ? s.app[kind].requestsPerSec / n.requestsPerSec : NaN;
      out.push({
        figure: `serving ${
          kind === "segment" ? "1 MiB segments" : "64 KiB ranges"
        } vs nginx`,
        value: n ? `${num(share * 100, 0)}%` : "nginx missing",
        target: "≥ 60%",
        met: n ? share >= 0.6 : null,
      });
    }
  }
  if (p) {
    for (const f of p.play) {
      const [limit, goal] = f.strict ? [3, 2] : [6, 5];
      out.push({
        figure: `first frame: ${f.label}`,
        value: `${num(f.median.firstFrameSec, 2)} s`,
        target: `≤ ${limit} s (goal ${goal} s)`,
        met: f.median.firstFrameSec <= limit,
      });
    }
    out.push({
      figure: "progressive vs single-pass ladder (noisy clip)",
      value: times(p.regression.ratio),
      target: "≤ 1.10×",
      met: p.regression.ratio <= 1.1,
    });
  }
  return out;
}
