import { define } from "../lib/define.ts";

/** The home page: upload and the library (islands arrive with issue 4). */
export default define.page(function Home() {
  return (
    <section>
      <h1>Your videos</h1>
      <p class="muted">
        Drop a video to upload it. It is transcoded to adaptive HLS and DASH.
      </p>
    </section>
  );
});
