// Server-sent events for the draft overview: who is in which section now and when each section
// last changed, pushed as it happens (presence registry, fed by the collaboration server).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { handleLoader } from "~/http.server";
import { lastChanges, presenceRegistry, userNames, type LiveMessage } from "~/models/presence.server";
import { getCode } from "~/models/sections.server";
import { authorize } from "~/policies.server";
import { requireUser } from "~/session.server";

const HEARTBEAT_MS = 20_000;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const code = await handleLoader(request, user, async () => {
    authorize(user, "draft.read");
    return getCode(db(), params.codeId ?? "");
  });
  const registry = presenceRegistry();
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (message: LiveMessage | { type: "snapshot"; presence: unknown; changes: unknown }) => {
        try {
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(message)}\n\n`));
        } catch {
          cleanup();
        }
      };
      // Subscribe first, then read: nothing that happens in between is lost (later wins).
      const offPresence = registry.onPresence(code.id, send);
      const offChanged = registry.onChanged(code.id, ({ sectionId, at, userIds }) => {
        userNames(db(), userIds).then(
          (by) => send({ type: "changed", sectionId, at: at.toISOString(), by }),
          () => send({ type: "changed", sectionId, at: at.toISOString(), by: [] }),
        );
      });
      const heartbeat = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(": keep-alive\n\n"));
        } catch {
          cleanup();
        }
      }, HEARTBEAT_MS);
      cleanup = () => {
        offPresence();
        offChanged();
        clearInterval(heartbeat);
        request.signal.removeEventListener("abort", cleanup);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      request.signal.addEventListener("abort", cleanup);
      controller.enqueue(encoder.encode("retry: 3000\n\n"));
      send({ type: "snapshot", presence: registry.presence(code.id), changes: await lastChanges(db(), code.id) });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
  });
}
