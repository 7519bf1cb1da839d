/** Which ffmpeg is installed: `ffmpeg -version`'s number, cached briefly. */

let cached: { at: number; path: string; version: string | null } | null = null;

/** `ffmpeg -version`'s number (e.g. "5.1.9"), or null when ffmpeg cannot run. Cached 10 s. */
export async function ffmpegVersion(
  ffmpegPath: string,
): Promise<string | null> {
  if (cached && cached.path === ffmpegPath && Date.now() - cached.at < 10_000) {
    return cached.version;
  }
  let version: string | null = null;
  try {
    const out = await new Deno.Command(ffmpegPath, {
      args: ["-hide_banner", "-version"],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    const m = new TextDecoder().decode(out.stdout).match(
      /ffmpeg version (\S+)/,
    );
    if (out.success && m) version = m[1].replace(/-.*$/, "");
  } catch {
    version = null;
  }
  cached = { at: Date.now(), path: ffmpegPath, version };
  return version;
}
