import { define } from "../../lib/api/mod.ts";
import { page } from "../../lib/fresh/mod.ts";
import { isAuthorized } from "../../lib/http/auth.ts";
import { presentVideo, type Video } from "../../lib/api/mod.ts";
import Player from "../../islands/Player.tsx";

interface Data {
  /** Null when there is no such video (unknown or malformed id). */
  video: Video | null;
  /** The page title (`_app` shows it). */
  title: string;
  /** False when API_TOKEN is set and this browser has not signed in. */
  canWrite?: boolean;
}

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { web } = ctx.state;
    const found = await web.videos.find(ctx.params.id);
    if (!found) {
      return page({ video: null, title: "Video not found" }, { status: 404 });
    }
    const video = presentVideo(found, web.settings.publicUrl);
    const canWrite = await isAuthorized(ctx.req, web.settings.apiToken);
    return page({ video, title: video.title, canWrite }, {
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
  return <Player video={data.video} canWrite={data.canWrite} />;
});
