/**
 * The bench's command-line options (see bench/main.ts for the usage).
 */

export const SECTIONS = [
  "transcode",
  "upload",
  "serve",
  "pages",
  "progressive",
  "cluster",
  "peers",
] as const;
export type Section = typeof SECTIONS[number];

/** Parsed command-line options. */
export interface Options {
  tune: boolean;
  runs: number;
  quick: boolean;
  clipSec: number;
  /**
   * Length of the peers section's noisy clip: issue 13's 20 s; 10 s with `--quick` (a 5 s
   * clip has a single keyframe, so the app would stream-copy its top rung).
   */
  peerClipSec: number;
  uploadBytes: number;
  serveSec: number;
  only: Set<Section>;
}

/** Parses the bench's arguments. */
export function parseArgs(args: string[]): Options {
  const quick = args.includes("--quick");
  const get = (name: string): string | undefined => {
    const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
  };
  const runs = Number(get("--runs") ?? (quick ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a whole number ≥ 1, got ${get("--runs")}`);
  }
  const only = new Set(
    (get("--only") ?? SECTIONS.join(",")).split(",") as Section[],
  );
  for (const s of only) {
    if (!SECTIONS.includes(s)) {
      throw new Error(`--only takes ${SECTIONS.join(", ")}; got ${s}`);
    }
  }
  return {
    tune: args.includes("--tune"),
    runs,
    quick,
    clipSec: quick ? 10 : 60,
    peerClipSec: quick ? 10 : 20,
    uploadBytes: (quick ? 256 : 1024) * 1024 * 1024,
    serveSec: quick ? 3 : 10,
    only,
  };
}
