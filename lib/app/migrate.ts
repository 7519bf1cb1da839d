/**
 * `deno task migrate`: moves an embedded install (SQLite + files under `DATA_DIR`) onto the
 * cluster backends (`DATABASE_URL`, `S3_BUCKET`), through the store and blob-store ports
 * only. The work is a list of {@link MigrationStep}s run in order — files, then records,
 * then jobs, then counters — so a node on the target never sees a record whose files are
 * missing. Every step copies only what the target lacks, so a second run copies nothing and
 * an interrupted run picks up where it stopped; each step then verifies the target against
 * the source. A table added later (captions, webhooks) is one more step in {@link STEPS}.
 *
 * Run it with every web and worker process of the old install stopped.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";
import { openBlobs } from "./backends.ts";
import {
  openPostgresStores,
  openSqliteStores,
  type Stores,
  type VideoRecord,
} from "../store/mod.ts";
import { type BlobStore, LocalBlobStore, removeAll } from "../storage/mod.ts";
import {
  captionsPrefix,
  originalsPrefix,
  streamPrefix,
  TRANSCODE,
} from "../videos/mod.ts";

/** One side of a migration. */
export interface MigrationSide {
  stores: Stores;
  blobs: BlobStore;
}

/** What the steps share: both sides, the source's videos (oldest first) and a scratch folder. */
export interface MigrationContext {
  from: MigrationSide;
  to: MigrationSide;
  videos: VideoRecord[];
  /** For copies of objects that are not local files (removed after each copy). */
  scratchDir: string;
  /** Progress lines for a person watching. */
  say(line: string): void;
}

/** Counts of what a step did, e.g. `{ copied: 3, "already there": 1 }`, plus bytes moved. */
export interface StepTally {
  counts: Record<string, number>;
  bytes?: number;
}

/** One part of the migration. Both functions must be safe to run any number of times. */
export interface MigrationStep {
  /** Names what it moves, in the summary ("files", "videos", …). */
  name: string;
  /** Copies what the target lacks. */
  copy(ctx: MigrationContext): Promise<StepTally>;
  /** Sentences naming what still differs after copying; empty when verified. */
  verify(ctx: MigrationContext): Promise<string[]>;
}

/** The result of a run. */
export interface MigrationReport {
  steps: { name: string; tally: StepTally; problems: string[] }[];
  /** True when every step verified. */
  ok: boolean;
}

const isManifest = (key: string) => /\.(m3u8|mpd)$/.test(key);

async function sourceFiles(ctx: MigrationContext, v: VideoRecord) {
  const files = [
    ...await ctx.from.blobs.list(originalsPrefix(v.id)),
    ...await ctx.from.blobs.list(streamPrefix(v.id)),
    ...await ctx.from.blobs.list(captionsPrefix(v.id)),
  ];
  // Playlists and manifests last, as publishing does: they name the segments.
  return files.sort((a, b) =>
    Number(isManifest(a.key)) - Number(isManifest(b.key))
  );
}

/** Originals and stream files of every video; an object already there with its size is kept. */
export const filesStep: MigrationStep = {
  name: "files",
  async copy(ctx) {
    const counts = { copied: 0, "already there": 0 };
    let bytes = 0;
    if (ctx.from.blobs === ctx.to.blobs) return { counts, bytes };
    for (const v of ctx.videos) {
      for (const blob of await sourceFiles(ctx, v)) {
        const there = await ctx.to.blobs.stat(blob.key);
        if (there?.size === blob.size) {
          counts["already there"]++;
          continue;
        }
        const path = await ctx.from.blobs.localPath(blob.key, ctx.scratchDir);
        if (!path) continue; // removed since listing
        try {
          await ctx.to.blobs.putFile(blob.key, path);
        } finally {
          if (path.startsWith(ctx.scratchDir)) await removeAll(path);
        }
        counts.copied++;
        bytes += blob.size;
      }
    }
    return { counts, bytes };
  },
  async verify(ctx) {
    if (ctx.from.blobs === ctx.to.blobs) return [];
    const problems: string[] = [];
    for (const v of ctx.videos) {
      const want = await sourceFiles(ctx, v);
      const have = new Map(
        [
          ...await ctx.to.blobs.list(originalsPrefix(v.id)),
          ...await ctx.to.blobs.list(streamPrefix(v.id)),
          ...await ctx.to.blobs.list(captionsPrefix(v.id)),
        ].map((b) => [b.key, b.size]),
      );
      const off = want.filter((b) => have.get(b.key) !== b.size);
      if (off.length) {
        problems.push(
          `Video ${v.id}: ${off.length} of ${want.length} files missing or of another size in the target (first: ${
            off[0].key
          }).`,
        );
      }
    }
    return problems;
  },
};

/** True for a record exactly as `create` leaves it (a run stopped before it was patched). */
function untouched(v: VideoRecord): boolean {
  return v.status === "queued" && v.progress === 0 && !v.playable &&
    v.error === null && v.renditions.length === 0;
}

/** A finished video keeps its state; an unfinished one starts again as `queued`. */
function finishedPatch(v: VideoRecord) {
  if (v.status !== "ready" && v.status !== "failed") return null;
  return {
    status: v.status,
    playable: v.playable,
    progress: v.progress,
    error: v.error,
    renditions: v.renditions,
  };
}

/** Video records, with their creation time and finished state; a record already there is kept. */
export const videosStep: MigrationStep = {
  name: "videos",
  async copy(ctx) {
    const counts = { copied: 0, "already there": 0 };
    if (ctx.from.stores === ctx.to.stores) return { counts };
    for (const v of ctx.videos) {
      let there = await ctx.to.stores.videos.get(v.id);
      const patch = finishedPatch(v);
      if (there && !(patch && untouched(there))) {
        counts["already there"]++;
        continue;
      }
      there ??= await ctx.to.stores.videos.create({
        id: v.id,
        title: v.title,
        visibility: v.visibility,
        sourceName: v.sourceName,
        sizeBytes: v.sizeBytes,
        durationSec: v.durationSec,
        width: v.width,
        height: v.height,
        media: v.media,
      }, new Date(v.createdAt));
      if (patch) await ctx.to.stores.videos.update(v.id, patch);
      counts.copied++;
    }
    return { counts };
  },
  async verify(ctx) {
    if (ctx.from.stores === ctx.to.stores) return [];
    const problems: string[] = [];
    for (const v of ctx.videos) {
      const there = await ctx.to.stores.videos.get(v.id);
      if (!there) problems.push(`Video ${v.id} is missing in the target.`);
      else if (there.visibility !== v.visibility) {
        problems.push(
          `Video ${v.id} is ${there.visibility} in the target, ${v.visibility} in the source.`,
        );
      } else if (finishedPatch(v) && there.status !== v.status) {
        problems.push(
          `Video ${v.id} is ${there.status} in the target, ${v.status} in the source.`,
        );
      }
    }
    return problems;
  },
};

/** A transcode job for every unfinished video that has none in the target. */
export const jobsStep: MigrationStep = {
  name: "transcode jobs",
  async copy(ctx) {
    const counts = { queued: 0, "already there": 0 };
    if (ctx.from.stores === ctx.to.stores) return { counts };
    const unfinished = new Set(
      ctx.videos.filter((v) => !finishedPatch(v)).map((v) => v.id),
    );
    const missing = new Set(
      await ctx.to.stores.videos.withoutJob(
        ["queued", "processing"],
        TRANSCODE,
      ),
    );
    for (const id of unfinished) {
      if (!missing.has(id)) {
        counts["already there"]++;
        continue;
      }
      await ctx.to.stores.jobs.enqueue({ kind: TRANSCODE, videoId: id });
      counts.queued++;
    }
    return { counts };
  },
  async verify(ctx) {
    if (ctx.from.stores === ctx.to.stores) return [];
    const missing = new Set(
      await ctx.to.stores.videos.withoutJob(
        ["queued", "processing"],
        TRANSCODE,
      ),
    );
    return ctx.videos.filter((v) => !finishedPatch(v) && missing.has(v.id))
      .map((v) =>
        `Video ${v.id} is unfinished and has no transcode job in the target.`
      );
  },
};

/** Metrics counters, raised to the source's values (never lowered, never added twice). */
export const countersStep: MigrationStep = {
  name: "counters",
  async copy(ctx) {
    const counts = { raised: 0, "already there": 0 };
    if (ctx.from.stores === ctx.to.stores) return { counts };
    const want = await ctx.from.stores.counters.all();
    const have = await ctx.to.stores.counters.all();
    for (const [name, value] of Object.entries(want)) {
      const by = (value ?? 0) - (have[name as keyof typeof have] ?? 0);
      if (by <= 0) {
        counts["already there"]++;
        continue;
      }
      await ctx.to.stores.counters.add(name as keyof typeof want, by);
      counts.raised++;
    }
    return { counts };
  },
  async verify(ctx) {
    if (ctx.from.stores === ctx.to.stores) return [];
    const want = await ctx.from.stores.counters.all();
    const have = await ctx.to.stores.counters.all();
    return Object.entries(want)
      .filter(([name, v]) => (have[name as keyof typeof have] ?? 0) < (v ?? 0))
      .map(([name, v]) =>
        `Counter ${name} is below the source's ${v} in the target.`
      );
  },
};

/** Caption records of every video (their WebVTT files go with the files step). */
export const captionsStep: MigrationStep = {
  name: "captions",
  async copy(ctx) {
    const counts = { copied: 0, "already there": 0 };
    if (ctx.from.stores === ctx.to.stores) return { counts };
    for (const v of ctx.videos) {
      const have = new Set(
        (await ctx.to.stores.captions.list(v.id)).map((c) => c.lang),
      );
      for (const c of await ctx.from.stores.captions.list(v.id)) {
        if (have.has(c.lang)) {
          counts["already there"]++;
          continue;
        }
        await ctx.to.stores.captions.put(v.id, {
          lang: c.lang,
          label: c.label,
        });
        counts.copied++;
      }
    }
    return { counts };
  },
  async verify(ctx) {
    if (ctx.from.stores === ctx.to.stores) return [];
    const problems: string[] = [];
    for (const v of ctx.videos) {
      const have = new Set(
        (await ctx.to.stores.captions.list(v.id)).map((c) => c.lang),
      );
      for (const c of await ctx.from.stores.captions.list(v.id)) {
        if (!have.has(c.lang)) {
          problems.push(
            `Video ${v.id}: caption ${c.lang} is missing in the target.`,
          );
        }
      }
    }
    return problems;
  },
};

/** Registered webhooks, with their ids and secrets (receivers keep verifying). */
export const webhooksStep: MigrationStep = {
  name: "webhooks",
  async copy(ctx) {
    const counts = { copied: 0, "already there": 0 };
    if (ctx.from.stores === ctx.to.stores) return { counts };
    for (const h of await ctx.from.stores.webhooks.list()) {
      if (await ctx.to.stores.webhooks.get(h.id)) {
        counts["already there"]++;
        continue;
      }
      await ctx.to.stores.webhooks.create(
        { id: h.id, url: h.url, events: h.events, secret: h.secret },
        new Date(h.createdAt),
      );
      counts.copied++;
    }
    return { counts };
  },
  async verify(ctx) {
    if (ctx.from.stores === ctx.to.stores) return [];
    const problems: string[] = [];
    for (const h of await ctx.from.stores.webhooks.list()) {
      if (!(await ctx.to.stores.webhooks.get(h.id))) {
        problems.push(`Webhook ${h.id} is missing in the target.`);
      }
    }
    return problems;
  },
};

/** The steps, in order: files before the records that name them, jobs after their videos. */
export const STEPS: MigrationStep[] = [
  filesStep,
  videosStep,
  captionsStep,
  jobsStep,
  webhooksStep,
  countersStep,
];

/** Every video of a store, oldest first (so the target keeps the library's order). */
export async function allVideos(stores: Stores): Promise<VideoRecord[]> {
  const out: VideoRecord[] = [];
  for (;;) {
    const page = await stores.videos.list(500, out.at(-1)?.seq);
    out.push(...page);
    if (page.length < 500) return out.reverse();
  }
}

/** Runs the steps from one side to the other: copy all, then verify all. */
export async function migrateBetween(
  from: MigrationSide,
  to: MigrationSide,
  opts: {
    scratchDir: string;
    say?: (line: string) => void;
    steps?: MigrationStep[];
  },
): Promise<MigrationReport> {
  const ctx: MigrationContext = {
    from,
    to,
    videos: await allVideos(from.stores),
    scratchDir: opts.scratchDir,
    say: opts.say ?? (() => {}),
  };
  const steps = opts.steps ?? STEPS;
  const report: MigrationReport = { steps: [], ok: true };
  for (const step of steps) {
    ctx.say(`Copying ${step.name}…`);
    report.steps.push({
      name: step.name,
      tally: await step.copy(ctx),
      problems: [],
    });
  }
  for (const [i, step] of steps.entries()) {
    report.steps[i].problems = await step.verify(ctx);
    if (report.steps[i].problems.length) report.ok = false;
  }
  return report;
}

/**
 * Opens the embedded install in `DATA_DIR` as the source and the configured backends as
 * the target, and migrates. Throws one sentence naming the setting when the settings are
 * wrong (no target configured, no database in `DATA_DIR`, target unreachable).
 */
export async function migrateInstall(
  config: Config,
  say?: (line: string) => void,
): Promise<MigrationReport> {
  if (!config.databaseUrl && !config.s3Bucket) {
    throw new Error(
      `Nothing to migrate to: set DATABASE_URL (PostgreSQL) and/or S3_BUCKET (S3 storage) to the target; DATA_DIR=${config.dataDir} is the source.`,
    );
  }
  if (!existsSync(join(config.dataDir, "app.db"))) {
    throw new Error(
      `DATA_DIR=${config.dataDir} holds no app.db: set DATA_DIR to the folder of the install to move.`,
    );
  }
  const sqlite = openSqliteStores(config.dataDir);
  const local = new LocalBlobStore(config.dataDir);
  let pg: Stores | null = null;
  let s3: BlobStore | null = null;
  try {
    if (config.databaseUrl) pg = await openPostgresStores(config.databaseUrl);
    if (config.s3Bucket) s3 = (await openBlobs(config)).blobs;
    return await migrateBetween(
      { stores: sqlite, blobs: local },
      { stores: pg ?? sqlite, blobs: s3 ?? local },
      { scratchDir: join(config.dataDir, "work", "migrate"), say },
    );
  } finally {
    await pg?.close();
    (s3 as { close?: () => void } | null)?.close?.();
    await sqlite.close();
  }
}

/** The report as lines a person reads: one per step, then the verification. */
export function formatReport(report: MigrationReport): string[] {
  const mib = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MiB`;
  const lines = report.steps.map(({ name, tally }) => {
    const parts = Object.entries(tally.counts).map(([k, n]) => `${n} ${k}`);
    if (tally.bytes) parts[0] += ` (${mib(tally.bytes)})`;
    return `  ${name}: ${parts.join(", ")}`;
  });
  const problems = report.steps.flatMap((s) => s.problems);
  lines.push(
    problems.length
      ? `Verification failed (${problems.length}); run again to copy what is missing:`
      : "Verified: the target holds every video, file, job and counter of the source.",
    ...problems.map((p) => `  ${p}`),
  );
  return lines;
}
