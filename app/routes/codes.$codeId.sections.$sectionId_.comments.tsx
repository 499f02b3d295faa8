// A section's comment threads: GET gives them as JSON (the panel refreshes from here when the
// live stream says something changed); POST runs one intent (create, reply, edit, delete,
// resolve, reopen, hide, unhide). Without JavaScript a POST redirects back to the section.
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { remixAction, commentAction } from "~/form-actions.server";
import { handleLoader } from "~/http.server";
import { listThreads } from "~/models/comments.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    const threads = await listThreads(db(), user, params.codeId ?? "", params.sectionId ?? "");
    return json({ threads }, { headers: { "Cache-Control": "no-store" } });
  });
}

// Also answered before Remix by the server when nothing goes wrong (app/form-actions.server.ts).
export const action = remixAction(commentAction);
