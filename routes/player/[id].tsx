import { define } from "../../lib/define.ts";
import { page } from "../../lib/fresh/mod.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { services } from "../../lib/services.ts";
import { presentVideo, type Video } from "../../lib/videos/present.ts";
import Player from "../../islands/Player.tsx";

interface Data {
  /** Null when there is no such video (unknown or malformed id). */
  video: Video | null;
  /** The page title (`_app` shows it). */
  title: string;
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    const s = services();
    try {
      const video = presentVideo(
        s.service.get(ctx.params.id),
        s.config.publicUrl,
      );
      return page({ video, title: video.title }, {
        headers: { "cache-control": "no-store" },
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        return page({ video: null, title: "Video not found" }, { status: 404 });
      }
      throw err;
    }
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
  return <Player video={data.video} />;
});
