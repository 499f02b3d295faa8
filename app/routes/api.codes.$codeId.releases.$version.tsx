// Open data: one immutable release as JSON (CORS for GET, strong ETag, cached for a year).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { config } from "~/config.server";
import { db } from "~/db.server";
import { sharedCache } from "~/http.server";
import { apiError, cachedResponse, corsPreflight, CORS_HEADERS, getRelease, IMMUTABLE_CACHE_CONTROL, releaseJson } from "~/models/releases.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  if (request.method === "OPTIONS") return corsPreflight(request);
  try {
    const release = await getRelease(db(), params.codeId ?? "", params.version ?? "");
    return cachedResponse(request, releaseJson(release, config().publicOrigin), "application/json; charset=utf-8", {
      ...CORS_HEADERS,
      "Cache-Control": IMMUTABLE_CACHE_CONTROL,
      ...sharedCache(300, [`releases:${release.codeId}`]),
    });
  } catch (e) {
    return apiError(e);
  }
}

export const action = ({ request }: ActionFunctionArgs) => corsPreflight(request);
