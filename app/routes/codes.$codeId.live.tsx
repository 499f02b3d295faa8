// Server-sent events for the draft overview: who is in which section now and when each section
// last changed, pushed as it happens (presence registry, fed by the collaboration server).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { eventStream } from "~/event-stream.server";
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
  return eventStream(request, {
    heartbeatMs: HEARTBEAT_MS,
    retryMs: 3000,
    async start(send: (message: LiveMessage | { type: "snapshot"; presence: unknown; changes: unknown }) => void) {
      // Subscribe first, then read: nothing that happens in between is lost (later wins).
      const offPresence = registry.onPresence(code.id, send);
      const offChanged = registry.onChanged(code.id, ({ sectionId, at, userIds }) => {
        userNames(db(), userIds).then(
          (by) => send({ type: "changed", sectionId, at: at.toISOString(), by }),
          () => send({ type: "changed", sectionId, at: at.toISOString(), by: [] }),
        );
      });
      const off = () => {
        offPresence();
        offChanged();
      };
      try {
        send({ type: "snapshot", presence: registry.presence(code.id), changes: await lastChanges(db(), code.id) });
      } catch (err) {
        off();
        throw err;
      }
      return off;
    },
  });
}
