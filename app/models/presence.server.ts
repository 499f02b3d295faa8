// Who is in which section right now and when each section last changed, for the live overview.
// Fed by domain events from the collaboration server (`section.presence`, `section.changed`);
// kept in this process's memory. With several instances the collaboration server's event already
// holds everyone in the section on any of them (it exchanges the lists through Redis).
import { EventEmitter } from "node:events";
import type { Kysely } from "kysely";
import type { Database } from "~/db.server";
import { on } from "~/events.server";

type DB = Kysely<Database>;

export interface SectionPresence {
  sectionId: string;
  /** People with the section open now (read-only visitors included, marked). */
  here: { id: string; name: string; readOnly: boolean }[];
}

export interface SectionChange {
  sectionId: string;
  at: string;
  by: string[];
}

export type LiveMessage = ({ type: "presence" } & SectionPresence) | ({ type: "changed" } & SectionChange);

class PresenceRegistry {
  private readonly here = new Map<string, SectionPresence["here"]>();
  private readonly bus = new EventEmitter().setMaxListeners(0);

  constructor() {
    on("section.presence", ({ codeId, sectionId, users }) => {
      const key = `${codeId}/${sectionId}`;
      if (users.length) this.here.set(key, users);
      else this.here.delete(key);
      this.bus.emit(codeId, { type: "presence", sectionId, here: users } satisfies LiveMessage);
    });
    on("section.changed", ({ codeId, sectionId, userIds, at }) => {
      this.bus.emit(`${codeId}:changed`, { sectionId, at, userIds });
    });
  }

  /** Who is in each section of `codeId` now. */
  presence(codeId: string): SectionPresence[] {
    const prefix = `${codeId}/`;
    return [...this.here].filter(([k]) => k.startsWith(prefix)).map(([k, here]) => ({ sectionId: k.slice(prefix.length), here }));
  }

  /** Presence changes of one code. */
  onPresence(codeId: string, listener: (m: LiveMessage) => void): () => void {
    this.bus.on(codeId, listener);
    return () => this.bus.off(codeId, listener);
  }

  /** Stored changes of one code (the collaboration server's hook, merged per burst). */
  onChanged(codeId: string, listener: (e: { sectionId: string; at: Date; userIds: string[] }) => void): () => void {
    this.bus.on(`${codeId}:changed`, listener);
    return () => this.bus.off(`${codeId}:changed`, listener);
  }
}

const g = globalThis as unknown as { __codewerfPresence?: PresenceRegistry };
// Created when the app is loaded (not on the first request), so no presence event is missed.
g.__codewerfPresence ??= new PresenceRegistry();

export function presenceRegistry(): PresenceRegistry {
  return g.__codewerfPresence!;
}

/** The latest live edit of each section of a code (from the audit log), with who made it. */
export async function lastChanges(db: DB, codeId: string): Promise<SectionChange[]> {
  const prefix = `${codeId}/`;
  const rows = await db
    .selectFrom("audit_events as e")
    .leftJoin("users as u", "u.id", "e.actor_id")
    .select(["e.subject_id", "e.at", "u.display_name"])
    .distinctOn("e.subject_id")
    .where("e.subject_type", "=", "section")
    .where("e.action", "=", "section.edited")
    .where("e.subject_id", "like", `${prefix.replace(/[\\%_]/g, "\\$&")}%`)
    .orderBy("e.subject_id")
    .orderBy("e.id", "desc")
    .execute();
  return rows.map((r) => ({ sectionId: r.subject_id.slice(prefix.length), at: new Date(r.at).toISOString(), by: r.display_name ? [r.display_name] : [] }));
}

/** Display names of users (deleted users leave no name). */
export async function userNames(db: DB, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom("users").select(["id", "display_name"]).where("id", "in", ids).execute();
  return rows.map((r) => r.display_name);
}
