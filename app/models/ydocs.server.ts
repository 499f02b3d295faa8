// The Yjs document store: per document one compacted snapshot plus an append-only tail of
// updates. Loading reads both in one transaction; compaction folds the tail into the snapshot.
import { sql, type Kysely } from "kysely";
import * as Y from "yjs";
import type { Database } from "~/db.server";

type DB = Kysely<Database>;

export interface StoredDoc {
  /** Snapshot and tail merged into one update (empty doc: a 2-byte update). */
  state: Uint8Array;
  /** Id of the newest update included; the next append comes after it. */
  lastUpdateId: string;
  tailRows: number;
}

export async function loadDocState(db: DB, name: string): Promise<StoredDoc> {
  return db.transaction().execute(async (trx) => {
    await sql`set transaction isolation level repeatable read`.execute(trx);
    const snap = await trx.selectFrom("ydoc_snapshots").select(["state", "last_update_id"]).where("doc_name", "=", name).executeTakeFirst();
    const after = snap ? String(snap.last_update_id) : "0";
    const tail = await trx
      .selectFrom("ydoc_updates")
      .select(["id", "data"])
      .where("doc_name", "=", name)
      .where("id", ">", after)
      .orderBy("id")
      .execute();
    const parts = [...(snap ? [snap.state] : []), ...tail.map((r) => r.data)];
    const state = parts.length === 0 ? Y.encodeStateAsUpdate(new Y.Doc()) : parts.length === 1 ? parts[0] : Y.mergeUpdates(parts);
    return { state, lastUpdateId: tail.length ? String(tail[tail.length - 1].id) : after, tailRows: tail.length };
  });
}

/** Appends one (merged) update and returns its id; the row is durable when this resolves. */
export async function appendUpdate(db: DB, name: string, update: Uint8Array, userIds: string[]): Promise<string> {
  const row = await db
    .insertInto("ydoc_updates")
    .values({ doc_name: name, data: update, user_ids: JSON.stringify(userIds) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** Replaces the snapshot with `state` covering updates up to `uptoId`, then drops that tail. */
export async function writeSnapshot(db: DB, name: string, state: Uint8Array, uptoId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("ydoc_snapshots")
      .values({ doc_name: name, state, last_update_id: uptoId })
      .onConflict((oc) =>
        oc.column("doc_name").doUpdateSet({ state, last_update_id: uptoId, updated_at: sql`now()` }).where("ydoc_snapshots.last_update_id", "<=", uptoId),
      )
      .execute();
    await trx.deleteFrom("ydoc_updates").where("doc_name", "=", name).where("id", "<=", uptoId).execute();
  });
}

/** Folds the stored tail into the snapshot (safe to run next to writers). */
export async function compactDoc(db: DB, name: string): Promise<void> {
  const { state, lastUpdateId, tailRows } = await loadDocState(db, name);
  if (tailRows === 0) return;
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  await writeSnapshot(db, name, Y.encodeStateAsUpdate(doc), lastUpdateId);
  doc.destroy();
}
