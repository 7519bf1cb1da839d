import {
  define,
  type HeadTag,
  type Video,
  videoHead,
  viewerOf,
} from "../../lib/api/mod.ts";
import { page } from "../../lib/fresh/mod.ts";
import { parseStartTime } from "../../lib/core/format.ts";
import Player from "../../islands/Player.tsx";

interface Data {
  /** Null when there is no such video for this viewer (unknown, malformed or private). */
  video: Video | null;
  /** The page title (`_app` shows it). */
  title: string;
  head?: HeadTag[];
  canWrite: boolean;
  startAt: number | null;
}

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { web } = ctx.state;
    const viewer = await viewerOf(ctx.req, web);
    const found = await web.videos.find(ctx.params.id, viewer.owner);
    if (!found) {
      return page({
        video: null,
        title: "Video not found",
        canWrite: false,
        startAt: null,
      }, { status: 404 });
    }
    const video = viewer.present(found);
    return page({
      video,
      title: video.title,
      head: videoHead(video, web.settings.publicUrl ?? ctx.url.origin),
      canWrite: viewer.owner,
      startAt: parseStartTime(ctx.url.searchParams.get("t")),
    }, {
      headers: { "cache-control": "no-store" },
    });
  },
});

/** The player page; a friendly not-found for unknown ids. */
export default define.page<typeof handler>(function PlayerPage({ data }) {
  if (!data.video) {
    return (
      <section class="message-page">
        <h1>Video not found</h1>
        <p>
          There is no video at this address. It may have been deleted, or the
          link is incomplete.
        </p>
        <p>
          <a class="button" href="/">Go to the library</a>
        </p>
      </section>
    );
  }
  return (
    <Player
      video={data.video}
      canWrite={data.canWrite}
      startAt={data.startAt ?? undefined}
    />
  );
});
