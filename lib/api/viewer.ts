/**
 * Who is asking: the owner (holds `API_TOKEN` or its session; everyone when no token is set)
 * or a visitor. The owner's Video JSON carries signed stream URLs for private videos, so the
 * app's own player plays them with no extra step.
 *
 * @module
 */
import { isAuthorized } from "../http/auth.ts";
import type { VideoRecord } from "../store/ports.ts";
import { presentVideo, type Video } from "./present.ts";
import type { WebDeps } from "./state.ts";

/** The caller of one request. */
export interface Viewer {
  /** True for the owner: sees every video, edits them. */
  owner: boolean;
  /** Video JSON as this caller may see it. */
  present(v: VideoRecord): Video;
}

/** The viewer of a request. */
export async function viewerOf(req: Request, web: WebDeps): Promise<Viewer> {
  const owner = await isAuthorized(req, web.settings.apiToken);
  return viewerFor(web, owner);
}

/** The viewer with the given rights. */
export function viewerFor(web: WebDeps, owner: boolean): Viewer {
  const sign = owner ? (id: string) => web.signer.forViews(id) : undefined;
  return {
    owner,
    present: (v) => presentVideo(v, web.settings.publicUrl, sign),
  };
}
