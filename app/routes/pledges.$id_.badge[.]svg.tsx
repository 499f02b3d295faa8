// The live badge: release signed and status (signed / outdated / withdrawn / not found), with
// a short Cache-Control and an ETag (304 on If-None-Match). Embeddable anywhere.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { badgeSvg } from "~/components/pledges/badge.server";
import { db } from "~/db.server";
import { sharedCache } from "~/http.server";
import { badgeState } from "~/models/pledges.server";
import { cachedResponse, CORS_HEADERS } from "~/models/releases.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const state = await badgeState(db(), params.id ?? "");
  const lang = new URL(request.url).searchParams.get("lang") === "en" ? "en" : "nl-BE";
  const res = cachedResponse(request, badgeSvg(state, lang), "image/svg+xml; charset=utf-8", {
    ...CORS_HEADERS,
    "Cache-Control": "public, max-age=30, must-revalidate",
    // An SVG opened directly must not run anything, whatever it contains.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    // As fresh as the Cache-Control above promises; a change on this instance drops it at once
    // (pledge.changed), one on another instance reaches it within those 30 s.
    ...sharedCache(30, ["pledges", `pledge:${params.id ?? ""}`]),
  });
  if (state.kind === "not_found" && res.status === 200) return new Response(res.body, { status: 404, headers: res.headers });
  return res;
}
