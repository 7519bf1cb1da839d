import {
  define,
  type HeadTag,
  presentVideo,
  type Video,
} from "../../lib/api/mod.ts";
import { page } from "../../lib/fresh/mod.ts";
import { parseStartTime } from "../../lib/core/format.ts";
import { tokenError } from "../../lib/videos/mod.ts";
import EmbedPlayer from "../../islands/EmbedPlayer.tsx";

interface Data {
  video: Video | null;
  /** Why there is no player (not found, bad token). */
  message: string | null;
  title: string;
  bare: true;
  head: HeadTag[];
  startAt: number | null;
  engine: "hls" | "dash" | null;
  live: boolean;
}

const NOINDEX: HeadTag[] = [{
  kind: "meta",
  name: "robots",
  content: "noindex",
}];

export const handler = define.handlers<Data>({
  /**
   * The minimal player for iframes. `?token=` (a playback token) opens a private video;
   * `?t=` starts later; `?engine=dash` starts with dash.js. Framing is allowed from
   * `EMBED_ORIGINS` (routes/_middleware.ts).
   */
  async GET(ctx) {
    const { web } = ctx.state;
    const q = ctx.url.searchParams;
    const token = q.get("token");
    const base = {
      bare: true as const,
      head: NOINDEX,
      startAt: parseStartTime(q.get("t")),
      engine: q.get("engine") === "dash"
        ? "dash" as const
        : q.get("engine") === "hls"
        ? "hls" as const
        : null,
    };
    const missing = () =>
      page({
        ...base,
        video: null,
        message: "This video is not available.",
        title: "Video not found",
        live: false,
      }, { status: 404 });
    // With a token, the token decides (any visibility); without one, private is absent.
    const found = await web.videos.find(ctx.params.id, token !== null);
    if (!found) return missing();
    if (token !== null) {
      const check = web.signer.check(found.id, token);
      if (check !== "ok") {
        return page({
          ...base,
          video: null,
          message: tokenError(check).message,
          title: "Link not valid",
          live: false,
        }, { status: 403 });
      }
    }
    const video = presentVideo(
      found,
      web.settings.publicUrl,
      token ? () => token : undefined,
    );
    return page({
      ...base,
      video,
      message: null,
      title: video.title,
      live: found.visibility !== "private",
    }, { headers: { "cache-control": "no-store" } });
  },
});

/** The embed page. */
export default define.page<typeof handler>(function EmbedPage({ data }) {
  return (
    <div class="embed-stage">
      {data.video
        ? (
          <EmbedPlayer
            video={data.video}
            startAt={data.startAt ?? undefined}
            engine={data.engine ?? undefined}
            live={data.live}
          />
        )
        : (
          <div class="embed-message">
            <p>{data.message}</p>
          </div>
        )}
    </div>
  );
});
