import { signal } from "@preact/signals";
import { define } from "../lib/api/mod.ts";
import { page } from "../lib/fresh/mod.ts";
import { type Video, viewerOf } from "../lib/api/mod.ts";
import { UPLOAD_EXTENSIONS } from "../lib/uploads/mod.ts";
import UploadDropzone from "../islands/UploadDropzone.tsx";
import VideoLibrary from "../islands/VideoLibrary.tsx";

/** Videos per library page. */
const PAGE_SIZE = 24;

interface Data {
  videos: Video[];
  nextCursor: string | null;
  maxUploadBytes: number;
  /** False when API_TOKEN is set and this browser has not signed in. */
  canWrite: boolean;
}

export const handler = define.handlers<Data>({
  /** The first library page is rendered on the server, so the grid does not shift. */
  async GET(ctx) {
    const { web } = ctx.state;
    const viewer = await viewerOf(ctx.req, web);
    const first = await web.videos.list(PAGE_SIZE, null, viewer.owner);
    return page({
      videos: first.videos.map(viewer.present),
      nextCursor: first.nextCursor,
      maxUploadBytes: web.settings.maxUploadBytes,
      canWrite: viewer.owner,
    }, { headers: { "cache-control": "no-store" } });
  },
});

/** The home page: upload dropzone and the live library. */
export default define.page<typeof handler>(function Home({ data }) {
  // Shared by both islands: uploads finished here appear in the library at once.
  const recent = signal<Video[]>([]);
  return (
    <div class="home">
      <section class="intro">
        <h1>Your videos</h1>
        <p class="muted">
          Upload a video and it is transcoded to adaptive HLS and DASH, ready to
          stream at the right quality on any connection.
        </p>
      </section>
      {data.canWrite
        ? (
          <UploadDropzone
            maxUploadBytes={data.maxUploadBytes}
            extensions={UPLOAD_EXTENSIONS}
            recent={recent}
          />
        )
        : (
          <section class="signin-callout" aria-labelledby="signin-title">
            <h2 id="signin-title">Sign in to upload</h2>
            <p class="muted">
              This server asks for its access token before videos can be
              uploaded or changed. Watching is open to everyone.
            </p>
            <a class="button primary" href="/login">Sign in</a>
          </section>
        )}
      <VideoLibrary
        initial={data.videos}
        nextCursor={data.nextCursor}
        recent={recent}
        canEdit={data.canWrite}
        pageSize={PAGE_SIZE}
      />
    </div>
  );
});
