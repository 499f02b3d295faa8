// The Yjs document store: per document one compacted snapshot plus an append-only tail of
// updates. Loading reads both in one statement; compaction folds the tail into the snapshot.
import { sql, type Kysely } from "kysely";
import * as Y from "yjs";
import type { Database } from "~/db.server";

type DB = Kysely<Database>;

export interface StoredDoc {
  /** Snapshot and tail merged into one update (empty doc: a 2-byte update). */
  state: Uint8Array;
  /** Id of the newest update included ("0" when there is none). */
  lastUpdateId: string;
  tailRows: number;
}

interface StoredRow {
  kind: number;
  id: string;
  data: Uint8Array;
}

/**
 * Snapshot and every tail row in one statement, so one MVCC snapshot (one implicit
 * transaction) sees both: compaction writes the snapshot and deletes exactly the rows it
 * folded in a single transaction, so a reader sees either the old or the new pair.
 */
async function readStored(db: DB, name: string): Promise<StoredRow[]> {
  const { rows } = await sql<StoredRow>`
    select 0 as kind, last_update_id::text as id, state as data from ydoc_snapshots where doc_name = ${name}
    union all
    select 1 as kind, id::text as id, data from ydoc_updates where doc_name = ${name}`.execute(db);
  return rows.sort((a, b) => a.kind - b.kind || (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
}

function toStoredDoc(rows: StoredRow[]): StoredDoc {
  const parts = rows.map((r) => r.data);
  const state = parts.length === 0 ? Y.encodeStateAsUpdate(new Y.Doc()) : parts.length === 1 ? parts[0] : Y.mergeUpdates(parts);
  const tail = rows.filter((r) => r.kind === 1);
  const lastUpdateId = rows.reduce((max, r) => (BigInt(r.id) > BigInt(max) ? r.id : max), "0");
  return { state, lastUpdateId, tailRows: tail.length };
}

export async function loadDocState(db: DB, name: string): Promise<StoredDoc> {
  return toStoredDoc(await readStored(db, name));
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

/** Upserts the snapshot (which includes exactly the tail rows `foldedIds`) and drops those rows; call inside a transaction. */
async function replaceSnapshot(trx: DB, name: string, state: Uint8Array, foldedIds: string[], lastUpdateId: string): Promise<void> {
  await trx
    .insertInto("ydoc_snapshots")
    .values({ doc_name: name, state, last_update_id: lastUpdateId })
    .onConflict((oc) => oc.column("doc_name").doUpdateSet({ state, last_update_id: lastUpdateId, updated_at: sql`now()` }))
    .execute();
  if (foldedIds.length) await trx.deleteFrom("ydoc_updates").where("doc_name", "=", name).where("id", "in", foldedIds).execute();
}

/** Replaces the snapshot with `state`, which includes exactly the tail rows `foldedIds`, and drops those rows. */
export async function writeSnapshot(db: DB, name: string, state: Uint8Array, foldedIds: string[], lastUpdateId: string): Promise<void> {
  await db.transaction().execute((trx) => replaceSnapshot(trx, name, state, foldedIds, lastUpdateId));
}

/** Snapshot + tail rows → one compacted state; through a Y.Doc, so deleted text is garbage-collected out. */
export function foldInline(parts: Uint8Array[]): Uint8Array {
  const merged = parts.length === 1 ? parts[0] : Y.mergeUpdates(parts);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, merged);
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

/**
 * Folds the stored tail into the snapshot. Safe next to writers: rows are deleted by id, so a
 * row that commits late (a smaller id after a larger one) is never dropped unread. The fold
 * (`fold`, e.g. on a worker thread) runs outside any transaction; the write then happens under
 * a per-document advisory lock and only if no other compaction (another instance) replaced the
 * snapshot meanwhile, so two compactions never race.
 */
export async function compactDoc(db: DB, name: string, fold: (parts: Uint8Array[]) => Uint8Array | Promise<Uint8Array> = foldInline): Promise<{ folded: number }> {
  const rows = await readStored(db, name);
  const tail = rows.filter((r) => r.kind === 1);
  if (tail.length === 0) return { folded: 0 };
  const snapshotId = rows.find((r) => r.kind === 0)?.id ?? null;
  const lastUpdateId = rows.reduce((max, r) => (BigInt(r.id) > BigInt(max) ? r.id : max), "0");
  const state = await fold(rows.map((r) => r.data));
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`ydoc:${name}`}))`.execute(trx);
    const now = await trx.selectFrom("ydoc_snapshots").select(sql<string>`last_update_id::text`.as("id")).where("doc_name", "=", name).executeTakeFirst();
    if ((now?.id ?? null) !== snapshotId) return { folded: 0 };
    await replaceSnapshot(trx, name, state, tail.map((r) => r.id), lastUpdateId);
    return { folded: tail.length };
  });
}
