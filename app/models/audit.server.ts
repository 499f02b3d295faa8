// The audit/event log: who did what to which subject. Every state change writes one row.
import type { Kysely } from "kysely";
import type { Database } from "~/db.server";

export interface AuditEvent {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  data?: Record<string, unknown>;
}

export async function recordEvent(db: Kysely<Database>, e: AuditEvent): Promise<void> {
  await recordEvents(db, [e]);
}

/** Several events in one INSERT (one row each). */
export async function recordEvents(db: Kysely<Database>, events: AuditEvent[]): Promise<void> {
  if (!events.length) return;
  await db
    .insertInto("audit_events")
    .values(
      events.map((e) => ({
        actor_id: e.actorId,
        action: e.action,
        subject_type: e.subjectType,
        subject_id: e.subjectId,
        data: JSON.stringify(e.data ?? {}),
      })),
    )
    .execute();
}

/** The newest events about one kind of subject whose id starts with `subjectPrefix`. */
export function recentEvents(db: Kysely<Database>, subjectType: string, subjectPrefix: string, limit = 15) {
  return db
    .selectFrom("audit_events")
    .leftJoin("users", "users.id", "audit_events.actor_id")
    .select(["audit_events.id", "audit_events.at", "audit_events.action", "audit_events.subject_id", "users.display_name as actor_name"])
    .where("audit_events.subject_type", "=", subjectType)
    .where("audit_events.subject_id", "like", `${subjectPrefix.replace(/[\\%_]/g, "\\$&")}%`)
    .orderBy("audit_events.id", "desc")
    .limit(limit)
    .execute();
}
