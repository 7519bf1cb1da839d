/**
 * The owner's captions section under the player: the video's captions with a delete
 * button each, and a form to upload a WebVTT or SRT file for a language (the same
 * language again replaces it). Shown only to people who may change the video.
 */
import type { VNode } from "preact";
import { useState } from "preact/hooks";
import type { Caption } from "../../lib/api/present.ts";
import { apiFetch } from "../../lib/ui/api_error.ts";
import { captionLabel } from "../../lib/ui/captions.ts";

/** Props of {@link CaptionsManager}. */
export interface CaptionsManagerProps {
  videoId: string;
  captions: Caption[];
  /** The list after a change (the player then offers it). */
  onChange(captions: Caption[]): void;
}

/** Renders the section. */
export function CaptionsManager(p: CaptionsManagerProps): VNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const base = `/api/videos/${encodeURIComponent(p.videoId)}/captions`;

  const refresh = async () => p.onChange(await apiFetch<Caption[]>(base));

  const upload = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const file = data.get("file");
    if (!(file instanceof File) || file.name === "") {
      setError("Choose a .vtt or .srt file first.");
      return;
    }
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const c = await apiFetch<Caption>(base, { method: "POST", body: data });
      await refresh();
      form.reset();
      setDone(`${captionLabel(c)} captions saved.`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (c: Caption) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await apiFetch(`${base}/${encodeURIComponent(c.lang)}`, {
        method: "DELETE",
      });
      await refresh();
      setDone(`${captionLabel(c)} captions deleted.`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="captions-manager" aria-labelledby="captions-title">
      <h2 id="captions-title">Captions</h2>
      {p.captions.length === 0
        ? <p class="muted">No captions yet.</p>
        : (
          <ul class="caption-list">
            {p.captions.map((c) => (
              <li key={c.lang} data-lang={c.lang}>
                <span>{captionLabel(c)}</span>{" "}
                <code class="muted">{c.lang}</code>{" "}
                <a href={c.url} download>WebVTT</a>{" "}
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Delete ${captionLabel(c)} captions`}
                  onClick={() => remove(c)}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        )}
      <form class="caption-form" onSubmit={upload}>
        <label>
          Caption file (.vtt or .srt, up to 1 MiB)
          <input type="file" name="file" accept=".vtt,.srt,text/vtt" required />
        </label>
        <label>
          Language (BCP 47 tag, e.g. en, pt-BR)
          <input
            type="text"
            name="lang"
            required
            maxLength={35}
            placeholder="en"
            autoComplete="off"
          />
        </label>
        <label>
          Label (optional)
          <input type="text" name="label" maxLength={80} placeholder="SDH" />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Saving…" : "Upload captions"}
        </button>
      </form>
      {error && <p class="inline-error" role="alert">{error}</p>}
      {done && <p class="muted" role="status">{done}</p>}
    </section>
  );
}
