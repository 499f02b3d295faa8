// Who wrote which part of a section: Yjs items are identified by (client id, clock); the
// collaboration server credits each clock range it integrated from a connection to that
// connection's user. A client id alone proves nothing (anyone can pick one), the range does:
// text already in the document can never be credited to someone who sends it again.
import { sql } from "kysely";
import type { DB } from "~/db.server";
import { userColour } from "~/domain/colours";
import { docName } from "~/domain/richtext";

/** The items [from, to) of Yjs client `client` were written by `userId`. */
export interface AuthorRange {
  client: number;
  from: number;
  to: number;
  userId: string;
}

/**
 * Keeps, per client id, the run being extended, so a person typing adds to one stored row
 * (keyed by its first clock) instead of one row per keystroke.
 */
export class AuthorRuns {
  private readonly runs = new Map<number, AuthorRange>();

  credit(client: number, from: number, to: number, userId: string): AuthorRange {
    const run = this.runs.get(client);
    if (run && run.userId === userId && run.to === from) {
      run.to = to;
      return { ...run };
    }
    const next = { client, from, to, userId };
    this.runs.set(client, next);
    return { ...next };
  }
}

/** Stores ranges (a later range with the same start extends the stored one). */
export async function recordAuthorRanges(db: DB, name: string, ranges: AuthorRange[]): Promise<void> {
  const byStart = new Map<string, AuthorRange>();
  for (const r of ranges) {
    const key = `${r.client}:${r.from}`;
    const known = byStart.get(key);
    if (!known || known.to < r.to) byStart.set(key, r);
  }
  if (!byStart.size) return;
  await db
    .insertInto("ydoc_authors")
    .values([...byStart.values()].map((r) => ({ doc_name: name, client_id: r.client, clock_from: r.from, clock_to: r.to, user_id: r.userId })))
    .onConflict((oc) => oc.columns(["doc_name", "client_id", "clock_from"]).doUpdateSet({ clock_to: sql`greatest(ydoc_authors.clock_to, excluded.clock_to)` }))
    .execute();
}

export interface Attribution {
  authors: { id: string | null; name: string | null; color: string }[];
  /** [client id, from clock, to clock (exclusive), index into authors] */
  ranges: [number, number, number, number][];
}

/** Every known range of a section's document with its authors (name null: a deleted account). */
export async function sectionAttribution(db: DB, codeId: string, sectionId: string): Promise<Attribution> {
  const rows = await db
    .selectFrom("ydoc_authors as a")
    .leftJoin("users as u", "u.id", "a.user_id")
    .select(["a.client_id", "a.clock_from", "a.clock_to", "a.user_id", "u.display_name"])
    .where("a.doc_name", "=", docName(codeId, sectionId))
    .orderBy("a.client_id")
    .orderBy("a.clock_from")
    .execute();
  const authors: Attribution["authors"] = [];
  const index = new Map<string, number>();
  const ranges: Attribution["ranges"] = [];
  for (const r of rows) {
    const key = r.user_id ?? "";
    let i = index.get(key);
    if (i === undefined) {
      i = authors.length;
      index.set(key, i);
      authors.push({ id: r.user_id, name: r.display_name, color: r.user_id ? userColour(r.user_id) : "#6c757d" });
    }
    ranges.push([Number(r.client_id), r.clock_from, r.clock_to, i]);
  }
  return { authors, ranges };
}
