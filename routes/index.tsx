import { signal } from "@preact/signals";
import { define } from "../lib/define.ts";
import { page } from "../lib/fresh/mod.ts";
import { services } from "../lib/services.ts";
import { presentVideo, type Video } from "../lib/videos/present.ts";
import UploadDropzone from "../islands/UploadDropzone.tsx";
import VideoLibrary from "../islands/VideoLibrary.tsx";

/** Videos per library page. */
const PAGE_SIZE = 24;

interface Data {
  videos: Video[];
  nextCursor: string | null;
  maxUploadBytes: number;
}

export const handler = define.handlers<Data>({
  /** The first library page is rendered on the server, so the grid does not shift. */
  GET() {
    const s = services();
    const first = s.service.list(PAGE_SIZE, null);
    return page({
      videos: first.videos.map((v) => presentVideo(v, s.config.publicUrl)),
      nextCursor: first.nextCursor,
      maxUploadBytes: s.config.maxUploadBytes,
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
      <UploadDropzone maxUploadBytes={data.maxUploadBytes} recent={recent} />
      <VideoLibrary
        initial={data.videos}
        nextCursor={data.nextCursor}
        recent={recent}
        pageSize={PAGE_SIZE}
      />
    </div>
  );
});
