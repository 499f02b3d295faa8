// Version history of a section: versions are taken when a burst of editing settles (the
// collaboration server's idle timer), when someone names one, and around a restore. A restore
// is a new change by the restoring person, applied to the live document; history is never rewritten.
import { yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import { diffWords } from "diff";
import { sql } from "kysely";
import * as Y from "yjs";
import type { DB, VersionKind } from "~/db.server";
import { AppError } from "~/domain/errors";
import { docName, plainText, sanitizeDoc, wordCount, YDOC_FRAGMENT, type PMJSON } from "~/domain/richtext";
import { authorize, type Actor } from "~/policies.server";
import { recordAuthorRanges } from "./attribution.server";
import { liveSections, replaceFragmentContent } from "./live-sections.server";
import { freezeContent } from "./releases.server";
import { getSection, recordSectionEdits, sectionResource } from "./sections.server";
import { appendUpdate, loadDocState } from "./ydocs.server";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface VersionSummary {
  id: string;
  kind: VersionKind;
  name: string | null;
  createdAt: Date;
  createdBy: string | null;
  words: number;
  wordsAdded: number;
  wordsRemoved: number;
  authors: string[];
  restoredFrom: { id: string; name: string | null; createdAt: Date } | null;
}

export interface RedlinePart {
  kind: "same" | "added" | "removed";
  text: string;
}

/** Word-level differences between two plain texts (one line per block). */
export function redline(from: string, to: string): RedlinePart[] {
  return diffWords(from, to).map((p) => ({ kind: p.added ? "added" : p.removed ? "removed" : "same", text: p.value }));
}

function wordDelta(from: string, to: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const p of redline(from, to)) {
    if (p.kind === "added") added += wordCount(p.text);
    if (p.kind === "removed") removed += wordCount(p.text);
  }
  return { added, removed };
}

interface NewVersion {
  kind: VersionKind;
  name?: string | null;
  restoredFrom?: string | null;
  createdBy?: string | null;
  /** Skip when the text equals the newest version's (an idle snapshot after nothing visible). */
  onlyIfChanged?: boolean;
}

/**
 * Takes a version of the section's stored text. Versions of one section are taken one at a
 * time (advisory lock), so each word-count change is against the version right before it.
 * Authors: everyone whose edits were stored since that version (the `section.edited` events).
 */
export async function recordVersion(db: DB, codeId: string, sectionId: string, v: NewVersion): Promise<string | null> {
  const name = docName(codeId, sectionId);
  // A version's authors come from the audit events the collaboration server's change hook
  // writes (throttled): those of the edits stored until now must be in before we read them.
  await liveSections()?.editsRecorded(codeId, sectionId);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`versions:${name}`}))`.execute(trx);
    const doc = docOf((await loadDocState(trx, name)).state);
    const json = schemaJson(doc);
    const text = plainText(json);
    const previous = await trx
      .selectFrom("section_versions")
      .select(["content_json", "text", "created_at"])
      .where("code_id", "=", codeId)
      .where("section_id", "=", sectionId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirst();
    if (v.onlyIfChanged && previous && JSON.stringify(previous.content_json) === JSON.stringify(json)) return null;
    let editors = trx
      .selectFrom("audit_events")
      .select("actor_id")
      .distinct()
      .where("action", "=", "section.edited")
      .where("subject_type", "=", "section")
      .where("subject_id", "=", name)
      .where("actor_id", "is not", null);
    if (previous) editors = editors.where("at", ">", previous.created_at);
    const authors = new Set((await editors.execute()).map((r) => r.actor_id!));
    if (v.kind === "restore" && v.createdBy) authors.add(v.createdBy);
    const delta = wordDelta(previous?.text ?? "", text);
    const row = await trx
      .insertInto("section_versions")
      .values({
        code_id: codeId,
        section_id: sectionId,
        kind: v.kind,
        name: v.name ?? null,
        restored_from: v.restoredFrom ?? null,
        created_by: v.createdBy ?? null,
        state: Y.encodeStateAsUpdate(doc),
        content_json: JSON.stringify(json),
        text,
        words: wordCount(text),
        words_added: delta.added,
        words_removed: delta.removed,
        author_ids: JSON.stringify([...authors]),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/** The state through a Y.Doc, so deleted content is garbage-collected out of the stored version. */
function docOf(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

/** The text as ProseMirror JSON holding only what the schema knows (an injected `<img onerror>` node is dropped). */
function schemaJson(doc: Y.Doc): PMJSON {
  return sanitizeDoc(yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(YDOC_FRAGMENT)) as PMJSON) ?? { type: "doc" };
}

/** The section's current stored text, one line per block (for redlines against "now"). */
export async function currentPlainText(db: DB, codeId: string, sectionId: string): Promise<string> {
  const doc = docOf((await loadDocState(db, docName(codeId, sectionId))).state);
  const text = plainText(schemaJson(doc));
  doc.destroy();
  return text;
}

/** The collaboration server's idle timer: a version when the text changed since the last one. */
export function recordIdleVersion(db: DB, codeId: string, sectionId: string): Promise<string | null> {
  return recordVersion(db, codeId, sectionId, { kind: "auto", onlyIfChanged: true });
}

async function authorizeEdit(db: DB, actor: Actor | null, codeId: string, sectionId: string): Promise<Actor> {
  authorize(actor, "draft.read");
  const section = await getSection(db, codeId, sectionId);
  authorize(actor, "section.edit", sectionResource(section));
  return actor!;
}

/** Someone names the current text as a version ("Voorstel na overleg met Awel"). */
export async function nameVersion(db: DB, actor: Actor | null, codeId: string, sectionId: string, versionName: string): Promise<string> {
  const user = await authorizeEdit(db, actor, codeId, sectionId);
  return (await recordVersion(db, codeId, sectionId, { kind: "named", name: versionName, createdBy: user.id }))!;
}

/**
 * Restores a version: first keeps the current text as a version (if it is not one yet), then
 * changes the live text into the old one as a new change by `actor`, and records a "restored
 * from" version. Connected editors see the change live.
 */
export async function restoreVersion(db: DB, actor: Actor | null, codeId: string, sectionId: string, versionId: string): Promise<string> {
  const user = await authorizeEdit(db, actor, codeId, sectionId);
  const version = await getVersion(db, codeId, sectionId, versionId);
  await recordVersion(db, codeId, sectionId, { kind: "auto", onlyIfChanged: true });
  const live = liveSections();
  if (live) await live.replaceText(codeId, sectionId, version.json, user.id);
  else await replaceStoredText(db, codeId, sectionId, version.json, user.id);
  return (await recordVersion(db, codeId, sectionId, { kind: "restore", restoredFrom: version.id, createdBy: user.id }))!;
}

/** Without a collaboration server in this process (scripts): the same change, straight to the store. */
async function replaceStoredText(db: DB, codeId: string, sectionId: string, json: PMJSON, userId: string): Promise<void> {
  const name = docName(codeId, sectionId);
  const doc = docOf((await loadDocState(db, name)).state);
  const before = Y.encodeStateVector(doc);
  const from = Y.getState(doc.store, doc.clientID);
  replaceFragmentContent(doc, json, null);
  const to = Y.getState(doc.store, doc.clientID);
  const updateId = await appendUpdate(db, name, Y.encodeStateAsUpdate(doc, before), [userId]);
  doc.destroy();
  if (to > from) await recordAuthorRanges(db, name, [{ client: doc.clientID, from, to, userId }]);
  await recordSectionEdits(db, { codeId, sectionId, userIds: [userId], updateIds: [updateId] });
}

export async function listVersions(db: DB, codeId: string, sectionId: string): Promise<VersionSummary[]> {
  const rows = await db
    .selectFrom("section_versions as v")
    .leftJoin("section_versions as r", "r.id", "v.restored_from")
    .select([
      "v.id",
      "v.kind",
      "v.name",
      "v.created_at",
      "v.created_by",
      "v.words",
      "v.words_added",
      "v.words_removed",
      "v.author_ids",
      "r.id as r_id",
      "r.name as r_name",
      "r.created_at as r_created_at",
    ])
    .where("v.code_id", "=", codeId)
    .where("v.section_id", "=", sectionId)
    .orderBy("v.created_at", "desc")
    .orderBy("v.id", "desc")
    .execute();
  const ids = new Set<string>();
  for (const r of rows) for (const id of authorIdsOf(r.author_ids)) ids.add(id);
  const names = await userNames(db, [...ids]);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    createdAt: r.created_at,
    createdBy: r.created_by,
    words: r.words,
    wordsAdded: r.words_added,
    wordsRemoved: r.words_removed,
    authors: authorIdsOf(r.author_ids).map((id) => names.get(id) ?? ""),
    restoredFrom: r.r_id ? { id: r.r_id, name: r.r_name, createdAt: r.r_created_at! } : null,
  }));
}

function authorIdsOf(value: unknown): string[] {
  const list = typeof value === "string" ? JSON.parse(value) : value;
  return Array.isArray(list) ? (list as string[]) : [];
}

async function userNames(db: DB, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom("users").select(["id", "display_name"]).where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

export interface VersionDetail {
  id: string;
  kind: VersionKind;
  name: string | null;
  createdAt: Date;
  restoredFrom: { id: string; name: string | null; createdAt: Date } | null;
  json: PMJSON;
  html: string;
  text: string;
  words: number;
}

export async function getVersion(db: DB, codeId: string, sectionId: string, versionId: string): Promise<VersionDetail> {
  if (!UUID.test(versionId)) throw new AppError("NOT_FOUND", "history.notFound");
  const row = await db
    .selectFrom("section_versions as v")
    .leftJoin("section_versions as r", "r.id", "v.restored_from")
    .select(["v.id", "v.kind", "v.name", "v.created_at", "v.content_json", "v.text", "v.words", "r.id as r_id", "r.name as r_name", "r.created_at as r_created_at"])
    .where("v.code_id", "=", codeId)
    .where("v.section_id", "=", sectionId)
    .where("v.id", "=", versionId)
    .executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "history.notFound");
  const json = (typeof row.content_json === "string" ? JSON.parse(row.content_json) : row.content_json) as PMJSON;
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    createdAt: row.created_at,
    restoredFrom: row.r_id ? { id: row.r_id, name: row.r_name, createdAt: row.r_created_at! } : null,
    json,
    html: freezeContent(json).html,
    text: row.text,
    words: row.words,
  };
}
