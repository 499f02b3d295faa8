// Server-sent events for one section's comments: each new comment, reply, edit, resolve or
// moderation is announced as `{type:"changed", threadId, what}`; the page then reloads the
// threads from the comments endpoint. SSE (not the collab websocket) because comments live in
// PostgreSQL, not in the Y.Doc, and an EventSource reconnects by itself. With several
// instances each hears the others' changes through PostgreSQL (see comments.server).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { eventStream } from "~/event-stream.server";
import { handleLoader } from "~/http.server";
import { onCommentsChanged } from "~/models/comments.server";
import { getSection } from "~/models/sections.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";

const HEARTBEAT_MS = 20_000;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const codeId = params.codeId ?? "";
  const sectionId = params.sectionId ?? "";
  await handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    return getSection(db(), codeId, sectionId);
  });
  return eventStream(request, {
    heartbeatMs: HEARTBEAT_MS,
    retryMs: 2000,
    start(send) {
      const { off, listening } = onCommentsChanged(db(), codeId, sectionId, (c) => send({ type: "changed", threadId: c.threadId, what: c.what }));
      // "hello" once the other instances' changes are heard too (the first stream of an
      // instance starts that listening): from then on the page misses nothing.
      void listening.then(() => send({ type: "hello" }));
      return off;
    },
  });
}
