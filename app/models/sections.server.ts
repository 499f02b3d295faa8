// The code and its sections: listing with reviewers and lock state, the current text
// (rendered on the server from the stored Yjs state), and locking by the ministry.
import { renderToHTMLString } from "@tiptap/static-renderer/pm/html-string";
import { yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import { sql, type Kysely } from "kysely";
import * as Y from "yjs";
import type { Database } from "~/db.server";
import { AppError } from "~/domain/errors";
import { docName, plainText, richTextExtensions, sanitizeDoc, wordCount, YDOC_FRAGMENT, type PMJSON } from "~/domain/richtext";
import { emit } from "~/events.server";
import { authorize, type Actor, type SectionResource } from "~/policies.server";
import { recordEvent, recordEvents } from "./audit.server";
import { loadDocState } from "./ydocs.server";

type DB = Kysely<Database>;

export interface SectionSummary {
  id: string;
  title: string;
  position: number;
  locked: boolean;
  lockedAt: Date | null;
  updatedAt: Date;
  reviewers: { id: string; name: string }[];
}

export async function getCode(db: DB, codeId: string) {
  const code = await db.selectFrom("codes").selectAll().where("id", "=", codeId).executeTakeFirst();
  if (!code) throw new AppError("NOT_FOUND", "errors.notFound");
  return code;
}

function sectionsQuery(db: DB, codeId: string) {
  return db
    .selectFrom("sections as s")
    .select((eb) => [
      "s.id",
      "s.title",
      "s.position",
      "s.locked_at",
      "s.updated_at",
      eb
        .selectFrom("section_reviewers as r")
        .innerJoin("organisations as o", "o.id", "r.organisation_id")
        .select(sql<{ id: string; name: string }[]>`coalesce(json_agg(json_build_object('id', o.id, 'name', o.name) order by o.name), '[]')`.as("list"))
        .whereRef("r.code_id", "=", "s.code_id")
        .whereRef("r.section_id", "=", "s.id")
        .as("reviewers"),
    ])
    .where("s.code_id", "=", codeId);
}

function toSummary(row: { id: string; title: string; position: number; locked_at: Date | null; updated_at: Date; reviewers: unknown }): SectionSummary {
  const reviewers = typeof row.reviewers === "string" ? JSON.parse(row.reviewers) : row.reviewers;
  return {
    id: row.id,
    title: row.title,
    position: row.position,
    locked: row.locked_at !== null,
    lockedAt: row.locked_at,
    updatedAt: row.updated_at,
    reviewers: (reviewers as SectionSummary["reviewers"]) ?? [],
  };
}

export async function listSections(db: DB, codeId: string): Promise<SectionSummary[]> {
  const rows = await sectionsQuery(db, codeId).orderBy("s.position").execute();
  return rows.map(toSummary);
}

export async function getSection(db: DB, codeId: string, sectionId: string): Promise<SectionSummary> {
  const row = await sectionsQuery(db, codeId).where("s.id", "=", sectionId).executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "section.notFound");
  return toSummary(row);
}

/**
 * The section page's reads in one round trip: the code and the section (with reviewers, as
 * `getCode` and `getSection` give them, and the same errors) plus its document's version for
 * `sectionText`.
 */
export async function getSectionForPage(db: DB, codeId: string, sectionId: string): Promise<{ codeId: string; section: SectionSummary; docVersion: string }> {
  const row = await db
    .selectFrom("codes as c")
    .leftJoin(
      () => sectionsQuery(db, codeId).where("s.id", "=", sectionId).as("s"),
      (join) => join.onTrue(),
    )
    .select([
      "c.id as code_id",
      "s.id",
      "s.title",
      "s.position",
      "s.locked_at",
      "s.updated_at",
      "s.reviewers",
      docVersionSql(docName(codeId, sectionId)).as("doc_version"),
    ])
    .where("c.id", "=", codeId)
    .executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "errors.notFound");
  if (row.id === null) throw new AppError("NOT_FOUND", "section.notFound");
  const section = toSummary({ ...row, id: row.id, title: row.title!, position: row.position!, locked_at: row.locked_at ?? null, updated_at: row.updated_at! });
  return { codeId: row.code_id, section, docVersion: row.doc_version };
}

/** What the policy needs to know about a section. */
export function sectionResource(section: SectionSummary): SectionResource {
  return { locked: section.locked, reviewers: section.reviewers.map((r) => r.id) };
}

export interface SectionText {
  json: PMJSON;
  html: string;
  words: number;
}

/**
 * A cheap fingerprint of a document's stored state: the snapshot's (last_update_id,
 * updated_at) and the tail's (count, max id, sum of ids). Every write changes it and it never
 * returns to an earlier value: appends add a row, and rows are only deleted together with a
 * snapshot rewrite, which sets updated_at to now().
 */
export function docVersionSql(name: string) {
  return sql<string>`concat_ws(':',
    (select last_update_id::text || '@' || (extract(epoch from updated_at) * 1000000)::bigint::text from ydoc_snapshots where doc_name = ${name}),
    (select count(*)::text || '/' || coalesce(max(id), 0)::text || '/' || coalesce(sum(id), 0)::text from ydoc_updates where doc_name = ${name}))`;
}

async function docVersion(db: DB, name: string): Promise<string> {
  const { rows } = await sql<{ v: string }>`select ${docVersionSql(name)} as v`.execute(db);
  return rows[0]?.v ?? "";
}

/** Rendered texts by document name, each valid only while the document's version is unchanged. */
const renderedTexts = new Map<string, { version: string; text: SectionText }>();
const RENDERED_TEXTS_MAX = 1000;

function decodeText(state: Uint8Array): SectionText {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  // Anything a client put into the Y.Doc outside the schema (an unknown node, a stray
  // attribute, an unsafe link) is dropped here, so it can neither break nor reach the page.
  const json = sanitizeDoc(yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(YDOC_FRAGMENT)) as PMJSON) ?? { type: "doc" };
  doc.destroy();
  return { json, html: renderRichText(json), words: wordCount(plainText(json)) };
}

/**
 * The section's current text from the document store, as ProseMirror JSON and safe HTML.
 * Decoding and rendering run only when the stored document changed since the last call (one
 * small query checks that); the result is shared between callers, so treat it as read-only.
 */
export async function sectionText(db: DB, codeId: string, sectionId: string, knownVersion?: string): Promise<SectionText> {
  const name = docName(codeId, sectionId);
  // The version is read before the state (here or by the caller, e.g. getSectionForPage): a
  // state loaded after it is at least that new, and the entry is only served while the version
  // is still the same, i.e. while nothing was written since.
  const version = knownVersion ?? (await docVersion(db, name));
  const cached = renderedTexts.get(name);
  if (cached && cached.version === version) return cached.text;
  const { state } = await loadDocState(db, name);
  const text = decodeText(state);
  renderedTexts.delete(name);
  if (renderedTexts.size >= RENDERED_TEXTS_MAX) renderedTexts.delete(renderedTexts.keys().next().value!);
  renderedTexts.set(name, { version, text });
  return text;
}

/** Renders through the schema only: unknown nodes, attributes and unsafe links cannot pass. */
export function renderRichText(json: PMJSON): string {
  const clean = sanitizeDoc(json);
  if (!clean?.content?.length) return "";
  try {
    return renderToHTMLString({ extensions: richTextExtensions, content: clean });
  } catch {
    // Structurally invalid even after sanitising (a list item without a paragraph, say): keep
    // the words as escaped paragraphs rather than failing the page.
    return plainText(clean)
      .split("\n")
      .filter(Boolean)
      .map((line) => `<p>${line.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</p>`)
      .join("");
  }
}

export async function setSectionLock(db: DB, actor: Actor, codeId: string, sectionId: string, locked: boolean): Promise<void> {
  authorize(actor, "section.lock");
  const result = await db
    .updateTable("sections")
    .set(locked ? { locked_at: new Date(), locked_by: actor.id } : { locked_at: null, locked_by: null })
    .where("code_id", "=", codeId)
    .where("id", "=", sectionId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AppError("NOT_FOUND", "section.notFound");
  await recordEvent(db, { actorId: actor.id, action: locked ? "section.locked" : "section.unlocked", subjectType: "section", subjectId: `${codeId}/${sectionId}` });
  emit("section.rights-changed", { codeId, sectionId });
}

/**
 * Who changed which section: one `section.edited` event per user per stored batch of live
 * edits (the collaboration server's change hook; later issues hang approvals off it).
 */
export async function recordSectionEdits(db: DB, e: { codeId: string; sectionId: string; userIds: string[]; updateIds: string[] }): Promise<void> {
  await recordEvents(
    db,
    e.userIds.map((userId) => ({
      actorId: userId,
      action: "section.edited",
      subjectType: "section",
      subjectId: `${e.codeId}/${e.sectionId}`,
      data: { updateIds: e.updateIds },
    })),
  );
  emit("section.changed", { codeId: e.codeId, sectionId: e.sectionId, userIds: e.userIds, at: new Date() });
}
