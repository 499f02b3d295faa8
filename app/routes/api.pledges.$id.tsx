// Open data: one pledge as JSON (confirmed ones; withdrawn ones say so).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { PLEDGE_SCHEMA_VERSION, pledgeJson } from "~/components/pledges/api.server";
import { config } from "~/config.server";
import { db } from "~/db.server";
import { getPledge } from "~/models/pledges.server";
import { apiError, cachedResponse, corsPreflight, CORS_HEADERS, withEtag } from "~/models/releases.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  if (request.method === "OPTIONS") return corsPreflight(request);
  try {
    const { pledge, text } = await getPledge(db(), params.id ?? "", null);
    const body = JSON.stringify({ schemaVersion: PLEDGE_SCHEMA_VERSION, ...pledgeJson(pledge, config().publicOrigin), text });
    return cachedResponse(request, withEtag(body), "application/json; charset=utf-8", { ...CORS_HEADERS, "Cache-Control": "public, max-age=30" });
  } catch (e) {
    return apiError(e);
  }
}

export const action = ({ request }: ActionFunctionArgs) => corsPreflight(request);
