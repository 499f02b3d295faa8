// Autocomplete for @mentions: people and organisations matching `q` (signed-in users only).
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { handleLoader } from "~/http.server";
import { mentionCandidates } from "~/models/mentions.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    authorize(user, "comment.create");
    const q = new URL(request.url).searchParams.get("q") ?? "";
    return json({ candidates: await mentionCandidates(db(), q) }, { headers: { "Cache-Control": "private, max-age=30" } });
  });
}
