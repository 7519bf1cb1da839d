import { define, presentCaption } from "../../../../../lib/api/mod.ts";
import { json } from "../../../../../lib/http/json.ts";

export const handler = define.handlers({
  /** The video's captions, by language tag: `[{ lang, label, url }]`. */
  async GET(ctx) {
    const { web } = ctx.state;
    const list = await web.captions.list(ctx.params.id);
    return json(
      list.map((c) => presentCaption(ctx.params.id, c, web.settings.publicUrl)),
    );
  },

  /** Multipart `file` (.vtt/.srt, ≤ 1 MiB), `lang` (BCP 47), optional `label`; replaces a language. */
  async POST(ctx) {
    const { web } = ctx.state;
    const c = await web.captions.add(ctx.params.id, ctx.req);
    return json(presentCaption(ctx.params.id, c, web.settings.publicUrl), {
      status: 201,
      headers: {
        location: `/api/videos/${ctx.params.id}/captions/${c.lang}`,
      },
    });
  },
});
