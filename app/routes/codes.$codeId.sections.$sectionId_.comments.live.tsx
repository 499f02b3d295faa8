// Server-sent events for one section's comments: each new comment, reply, edit, resolve or
// moderation is announced as `{type:"changed", threadId, what}`; the page then reloads the
// threads from the comments endpoint. SSE (not the collab websocket) because comments live in
// PostgreSQL, not in the Y.Doc, and an EventSource reconnects by itself. With several
// instances each hears the others' changes through PostgreSQL (see comments.server).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
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
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const off = onCommentsChanged(db(), codeId, sectionId, (c) => write(`data: ${JSON.stringify({ type: "changed", threadId: c.threadId, what: c.what })}\n\n`));
      const heartbeat = setInterval(() => write(": keep-alive\n\n"), HEARTBEAT_MS);
      cleanup = () => {
        off();
        clearInterval(heartbeat);
        request.signal.removeEventListener("abort", cleanup);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      request.signal.addEventListener("abort", cleanup);
      write("retry: 2000\n\n");
      write(`data: ${JSON.stringify({ type: "hello" })}\n\n`);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
  });
}
