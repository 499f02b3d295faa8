// Releases: the ministry freezes the draft into an immutable, numbered version; anyone reads,
// compares and exports it. Published rows never change, so their reads are cached in memory.
import { createHash } from "node:crypto";
import { yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import { sql, type Kysely } from "kysely";
import * as Y from "yjs";
import type { Database } from "~/db.server";
import { AppError, isAppError } from "~/domain/errors";
import { redline, type RedlinePart } from "~/domain/redline";
import { docName, plainText, sanitizeDoc, YDOC_FRAGMENT, type PMJSON } from "~/domain/richtext";
import { emit } from "~/events.server";
import { log } from "~/log.server";
import { authorize, type Actor } from "~/policies.server";
import { recordEvent } from "./audit.server";
import { readiness } from "./reviews.server";
import { getCode, listSections, renderRichText } from "./sections.server";
import { loadDocState } from "./ydocs.server";

type DB = Kysely<Database>;

/** A section's readiness with every review state, as `readiness` (reviews.server.ts) gives it. */
export type SectionReadiness = Awaited<ReturnType<typeof readiness>>[number];

/** What a release keeps of the review states: the contract's fields (no internal ids). */
function frozenReviewStates(ready: SectionReadiness[]): SectionReadiness[] {
  return ready.map((r) => ({
    sectionId: r.sectionId,
    ready: r.ready,
    cells: r.cells.map((c) => ({ sectionId: c.sectionId, organisationId: c.organisationId, organisationName: c.organisationName, state: c.state, at: c.at, by: c.by })),
  }));
}

/**
 * Pre-fill for "waarom dit veranderde": per section, the opening comment of each review thread
 * resolved since `since` (hidden or deleted comments left out), one line each.
 */
async function resolvedThreadNotes(db: DB, codeId: string, since: Date | null): Promise<Map<string, string>> {
  const { rows } = await sql<{ section_id: string; quote: string; body: string }>`
    select t.section_id, t.quote, first.body
    from comment_threads t
    join lateral (
      select c.body from comments c
      where c.thread_id = t.id and c.deleted_at is null and c.hidden_at is null
      order by c.created_at limit 1
    ) first on true
    where t.code_id = ${codeId} and t.status = 'resolved'
      ${since ? sql`and t.resolved_at > ${since}` : sql``}
    order by t.section_id, t.resolved_at`.execute(db);
  const notes = new Map<string, string[]>();
  for (const r of rows) {
    const body = r.body.replace(/\s+/g, " ").trim();
    const line = `• ${body.length > 240 ? `${body.slice(0, 239)}…` : body}`;
    notes.set(r.section_id, [...(notes.get(r.section_id) ?? []), line]);
  }
  return new Map([...notes].map(([id, lines]) => [id, lines.join("\n").slice(0, 2000)]));
}

export interface ReleaseOverride {
  sectionId: string;
  reason: string;
}

export interface ReleaseSection {
  sectionId: string;
  position: number;
  title: string;
  contentJson: PMJSON;
  html: string;
  text: string;
  whyChanged: string;
}

export interface ReleaseSummary {
  id: string;
  codeId: string;
  codeTitle: string;
  version: string;
  major: number;
  minor: number;
  notes: string;
  publishedAt: string;
  publishedBy: { id: string; name: string } | null;
}

export interface Release extends ReleaseSummary {
  overrides: ReleaseOverride[];
  reviewStates: SectionReadiness[];
  sections: ReleaseSection[];
}

export const VERSION_PATTERN = /^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/;

export function parseVersion(version: string): { major: number; minor: number } | null {
  const m = VERSION_PATTERN.exec(version);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** The version that follows `latest` for a wording change (minor) or changed obligations (major). */
export function nextVersion(latest: string | null, kind: "major" | "minor"): string {
  const v = latest ? parseVersion(latest) : null;
  if (!v) return "1.0";
  return kind === "major" ? `${v.major + 1}.0` : `${v.major}.${v.minor + 1}`;
}

// ---------------------------------------------------------------------------------------------
// Sanitising the frozen content: only the schema's nodes, marks and attributes, safe links.
// ---------------------------------------------------------------------------------------------

/** Frozen form of a document: sanitised JSON, HTML from the schema renderer, plain text. */
export function freezeContent(json: PMJSON): { contentJson: PMJSON; html: string; text: string } {
  const contentJson = sanitizeDoc(json) ?? { type: "doc" };
  let html: string;
  try {
    html = renderRichText(contentJson);
  } catch {
    // Structurally invalid after sanitising (e.g. a list item without a paragraph): keep the words.
    const text = plainText(contentJson);
    html = text
      .split("\n")
      .filter(Boolean)
      .map((line) => `<p>${line.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</p>`)
      .join("");
  }
  return { contentJson, html, text: plainText(contentJson) };
}

// ---------------------------------------------------------------------------------------------
// Reading (cached: a published release never changes)
// ---------------------------------------------------------------------------------------------

/** Release ids by code and version, per database instance (tests open several). */
const idsByDb = new WeakMap<object, Map<string, string>>();
/** Loaded releases by id (uuids: unique across databases). */
const releasesById = new Map<string, Release>();
const RELEASES_MAX = 200;

function remember(release: Release): Release {
  if (releasesById.size >= RELEASES_MAX) releasesById.delete(releasesById.keys().next().value!);
  releasesById.set(release.id, release);
  return release;
}

function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

function summaryQuery(db: DB, codeId: string) {
  return db
    .selectFrom("releases as r")
    .leftJoin("users as u", "u.id", "r.published_by")
    .select(["r.id", "r.code_id", "r.code_title", "r.version", "r.major", "r.minor", "r.notes", "r.published_at", "r.published_by", "u.display_name as publisher_name"])
    .where("r.code_id", "=", codeId);
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryQuery>["executeTakeFirstOrThrow"]>>;

function toSummary(r: SummaryRow): ReleaseSummary {
  return {
    id: r.id,
    codeId: r.code_id,
    codeTitle: r.code_title,
    version: r.version,
    major: r.major,
    minor: r.minor,
    notes: r.notes,
    publishedAt: new Date(r.published_at).toISOString(),
    publishedBy: r.published_by ? { id: r.published_by, name: r.publisher_name ?? "" } : null,
  };
}

/** Every release of a code, newest first. */
export async function listReleases(db: DB, codeId: string): Promise<ReleaseSummary[]> {
  const rows = await summaryQuery(db, codeId).orderBy("r.major", "desc").orderBy("r.minor", "desc").execute();
  return rows.map(toSummary);
}

async function loadRelease(db: DB, id: string): Promise<Release> {
  const cached = releasesById.get(id);
  if (cached) return cached;
  const [head, sections] = await Promise.all([
    db
      .selectFrom("releases as r")
      .leftJoin("users as u", "u.id", "r.published_by")
      .select(["r.id", "r.code_id", "r.code_title", "r.version", "r.major", "r.minor", "r.notes", "r.published_at", "r.published_by", "u.display_name as publisher_name", "r.overrides", "r.review_states"])
      .where("r.id", "=", id)
      .executeTakeFirstOrThrow(),
    db.selectFrom("release_sections").selectAll().where("release_id", "=", id).orderBy("position").execute(),
  ]);
  return remember({
    ...toSummary(head),
    overrides: json<ReleaseOverride[]>(head.overrides),
    reviewStates: json<SectionReadiness[]>(head.review_states),
    sections: sections.map((s) => ({
      sectionId: s.section_id,
      position: s.position,
      title: s.title,
      contentJson: json<PMJSON>(s.content_json),
      html: s.html,
      text: s.text,
      whyChanged: s.why_changed,
    })),
  });
}

/** One release by version ("1.0"); NOT_FOUND when there is none. Shared: treat as read-only. */
export async function getRelease(db: DB, codeId: string, version: string): Promise<Release> {
  if (!parseVersion(version)) throw new AppError("NOT_FOUND", "release.notFound");
  let ids = idsByDb.get(db);
  if (!ids) idsByDb.set(db, (ids = new Map()));
  const key = `${codeId}@${version}`;
  let id = ids.get(key);
  if (!id) {
    const row = await db.selectFrom("releases").select("id").where("code_id", "=", codeId).where("version", "=", version).executeTakeFirst();
    if (!row) throw new AppError("NOT_FOUND", "release.notFound");
    id = row.id;
    ids.set(key, id);
  }
  return loadRelease(db, id);
}

/** The newest release of a code, or null before the first one. */
export async function currentRelease(db: DB, codeId: string): Promise<Release | null> {
  const row = await db.selectFrom("releases").select("id").where("code_id", "=", codeId).orderBy("major", "desc").orderBy("minor", "desc").limit(1).executeTakeFirst();
  return row ? loadRelease(db, row.id) : null;
}

// ---------------------------------------------------------------------------------------------
// Serialised forms (cached per release, with a strong ETag)
// ---------------------------------------------------------------------------------------------

export const RELEASE_SCHEMA_VERSION = 1;

export interface CachedBody {
  body: string;
  /** The body encoded once (UTF-8), so serving it copies bytes instead of encoding text. */
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
}

function toCachedBody(body: string): CachedBody {
  const bytes = new TextEncoder().encode(body);
  return { body, bytes, etag: `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 32)}"` };
}

const bodies = new Map<string, CachedBody>();

function cachedBody(key: string, make: () => string): CachedBody {
  let entry = bodies.get(key);
  if (!entry) {
    entry = toCachedBody(make());
    if (bodies.size >= RELEASES_MAX * 4) bodies.delete(bodies.keys().next().value!);
    bodies.set(key, entry);
  }
  return entry;
}

/** The open-data JSON of a release (schema: docs/release-json.md). */
export function releaseDocument(release: Release, origin: string) {
  const base = `${origin}/codes/${release.codeId}/releases/${release.version}`;
  return {
    schemaVersion: RELEASE_SCHEMA_VERSION,
    code: release.codeId,
    codeTitle: release.codeTitle,
    version: release.version,
    major: release.major,
    minor: release.minor,
    publishedAt: release.publishedAt,
    publishedBy: release.publishedBy?.name ?? null,
    notes: release.notes,
    url: base,
    overrides: release.overrides,
    reviewStates: release.reviewStates,
    sections: release.sections.map((s) => ({
      id: s.sectionId,
      position: s.position,
      title: s.title,
      url: `${base}#${s.sectionId}`,
      whyChanged: s.whyChanged,
      text: s.text,
      html: s.html,
      content: s.contentJson,
    })),
  };
}

export function releaseJson(release: Release, origin: string): CachedBody {
  return cachedBody(`${release.id}|json|${origin}`, () => JSON.stringify(releaseDocument(release, origin)));
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function dateNl(iso: string): string {
  return new Intl.DateTimeFormat("nl-BE", { dateStyle: "long", timeZone: "Europe/Brussels" }).format(new Date(iso));
}

export function releaseMarkdown(release: Release): CachedBody {
  return cachedBody(`${release.id}|md`, () => {
    const lines = [`# ${release.codeTitle} — versie ${release.version}`, "", `Gepubliceerd op ${dateNl(release.publishedAt)}${release.publishedBy ? ` door ${release.publishedBy.name}` : ""}.`, ""];
    if (release.notes) lines.push("## Over deze versie", "", release.notes, "");
    for (const s of release.sections) {
      lines.push(`## ${s.position}. ${s.title} {#${s.sectionId}}`, "", markdownOf(s.contentJson).trim(), "");
    }
    return lines.join("\n");
  });
}

function inlineMarkdown(nodes: PMJSON[] = []): string {
  return nodes
    .map((n) => {
      if (n.type === "hardBreak") return "  \n";
      let t = (n.text ?? "").replace(/([\\`*_[\]])/g, "\\$1");
      for (const m of n.marks ?? []) {
        if (m.type === "bold") t = `**${t}**`;
        else if (m.type === "italic") t = `*${t}*`;
        else if (m.type === "link") t = `[${t}](${String(m.attrs?.href ?? "")})`;
      }
      return t;
    })
    .join("");
}

function markdownOf(node: PMJSON, indent = ""): string {
  switch (node.type) {
    case "doc":
      return (node.content ?? []).map((c) => markdownOf(c, indent)).join("\n");
    case "paragraph":
      return `${indent}${inlineMarkdown(node.content)}\n`;
    case "heading":
      return `${"#".repeat(Math.min(6, Number(node.attrs?.level ?? 3) + 1))} ${inlineMarkdown(node.content)}\n`;
    case "blockquote":
      return (node.content ?? []).map((c) => `> ${markdownOf(c).trim()}`).join("\n>\n") + "\n";
    case "bulletList":
    case "orderedList":
      return (
        (node.content ?? [])
          .map((item, i) => {
            const bullet = node.type === "orderedList" ? `${i + Number(node.attrs?.start ?? 1)}. ` : "- ";
            const inner = (item.content ?? []).map((c) => markdownOf(c, indent + "   ").trim()).join("\n" + indent + "   ");
            return `${indent}${bullet}${inner}`;
          })
          .join("\n") + "\n"
      );
    default:
      return plainText(node) + "\n";
  }
}

/** A standalone, printable HTML document: no script, inline styles only as an enhancement. */
export function releaseHtml(release: Release): CachedBody {
  return cachedBody(`${release.id}|html`, () => {
    const title = `${escapeHtml(release.codeTitle)} — versie ${escapeHtml(release.version)}`;
    const toc = release.sections.map((s) => `<li><a href="#${escapeHtml(s.sectionId)}">${s.position}. ${escapeHtml(s.title)}</a></li>`).join("\n");
    const body = release.sections
      .map((s) => `<section id="${escapeHtml(s.sectionId)}">\n<h2>${s.position}. ${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`)
      .join("\n");
    return `<!doctype html>
<html lang="nl-BE">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body{font-family:Georgia,serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#1a1a1a}
h1,h2{font-family:system-ui,sans-serif;line-height:1.25}
section{break-inside:avoid-page;margin-top:2rem}
@media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}nav{break-after:page}}
</style>
</head>
<body>
<header>
<h1>${title}</h1>
<p>Gepubliceerd op ${escapeHtml(dateNl(release.publishedAt))}${release.publishedBy ? ` door ${escapeHtml(release.publishedBy.name)}` : ""}.</p>
${release.notes ? `<p>${escapeHtml(release.notes)}</p>` : ""}
</header>
<nav aria-label="Inhoud">
<h2>Inhoud</h2>
<ol>
${toc}
</ol>
</nav>
<main>
${body}
</main>
</body>
</html>
`;
  });
}

// ---------------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------------

export interface SectionChange {
  sectionId: string;
  status: "added" | "removed" | "changed" | "unchanged";
  renamed: boolean;
  moved: boolean;
  textChanged: boolean;
  fromTitle: string | null;
  toTitle: string | null;
  fromPosition: number | null;
  toPosition: number | null;
  whyChanged: string;
  /** Word-level redline of the plain text (for added/removed: the whole text as one part). */
  parts: RedlinePart[];
  /** The newer side's HTML (the older side's for a removed section), for unchanged sections. */
  html: string;
}

export interface Comparison {
  codeId: string;
  from: string;
  to: string;
  changes: SectionChange[];
  counts: { added: number; removed: number; changed: number; unchanged: number };
}

interface Side {
  version: string;
  sections: ReleaseSection[];
}

/** The redline between two lists of sections, in the newer side's order (removed ones where they were). */
export function compareSections(from: Side, to: Side, codeId = ""): Comparison {
  const before = new Map(from.sections.map((s) => [s.sectionId, s]));
  const after = new Map(to.sections.map((s) => [s.sectionId, s]));
  const commonFrom = from.sections.filter((s) => after.has(s.sectionId)).map((s) => s.sectionId);
  const commonTo = to.sections.filter((s) => before.has(s.sectionId)).map((s) => s.sectionId);
  const rankFrom = new Map(commonFrom.map((id, i) => [id, i]));
  const rankTo = new Map(commonTo.map((id, i) => [id, i]));

  const change = (id: string): SectionChange => {
    const a = before.get(id);
    const b = after.get(id);
    if (!a && b) {
      return { sectionId: id, status: "added", renamed: false, moved: false, textChanged: true, fromTitle: null, toTitle: b.title, fromPosition: null, toPosition: b.position, whyChanged: b.whyChanged, parts: [{ value: b.text, added: true }], html: b.html };
    }
    if (a && !b) {
      return { sectionId: id, status: "removed", renamed: false, moved: false, textChanged: true, fromTitle: a.title, toTitle: null, fromPosition: a.position, toPosition: null, whyChanged: "", parts: [{ value: a.text, removed: true }], html: a.html };
    }
    const x = a!;
    const y = b!;
    const textChanged = x.text !== y.text || x.html !== y.html;
    const renamed = x.title !== y.title;
    const moved = rankFrom.get(id) !== rankTo.get(id);
    const parts = redline(x.text, y.text);
    const status = textChanged || renamed || moved ? "changed" : "unchanged";
    return { sectionId: id, status, renamed, moved, textChanged, fromTitle: x.title, toTitle: y.title, fromPosition: x.position, toPosition: y.position, whyChanged: status === "changed" ? y.whyChanged : "", parts, html: y.html };
  };

  // Newer order, with each removed section placed after the section that preceded it before.
  const order: string[] = to.sections.map((s) => s.sectionId);
  from.sections.forEach((s, i) => {
    if (after.has(s.sectionId)) return;
    const prev = from.sections.slice(0, i).reverse().find((p) => order.includes(p.sectionId));
    order.splice(prev ? order.indexOf(prev.sectionId) + 1 : 0, 0, s.sectionId);
  });
  const changes = order.map(change);
  const counts = { added: 0, removed: 0, changed: 0, unchanged: 0 };
  for (const c of changes) counts[c.status]++;
  return { codeId, from: from.version, to: to.version, changes, counts };
}

/**
 * A section's ProseMirror JSON straight from its stored Y.Doc, unrendered: whatever a client
 * managed to put there (unknown nodes, hostile attributes) is only sanitised by `freezeContent`.
 */
async function storedDocument(db: DB, codeId: string, sectionId: string): Promise<PMJSON> {
  const { state } = await loadDocState(db, docName(codeId, sectionId));
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const json = yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(YDOC_FRAGMENT)) as PMJSON;
  doc.destroy();
  return json;
}

/** The live draft as a release-shaped side (frozen the same way a publication would). */
export async function draftSections(db: DB, codeId: string): Promise<ReleaseSection[]> {
  const sections = await listSections(db, codeId);
  return Promise.all(
    sections.map(async (s) => {
      return { sectionId: s.id, position: s.position, title: s.title, ...freezeContent(await storedDocument(db, codeId, s.id)), whyChanged: "" };
    }),
  );
}

const comparisons = new Map<string, Comparison>();

/**
 * Per-section redline from release `from` to release `to` (or "draft": the live draft, for
 * those who may read it — pass the actor). Between two releases the result is cached.
 */
export async function compareReleases(db: DB, codeId: string, from: string, to: string, actor?: Actor | null): Promise<Comparison> {
  if (to === "draft") {
    authorize(actor ?? null, "draft.read");
    const [older, draft] = await Promise.all([getRelease(db, codeId, from), draftSections(db, codeId)]);
    return compareSections(older, { version: "draft", sections: draft }, codeId);
  }
  // Both releases load at once (two round trips in flight, not one after the other).
  const [older, newer] = await Promise.all([getRelease(db, codeId, from), getRelease(db, codeId, to)]);
  const key = `${older.id}>${newer.id}`;
  let result = comparisons.get(key);
  if (!result) {
    result = compareSections(older, newer, codeId);
    if (comparisons.size >= RELEASES_MAX) comparisons.delete(comparisons.keys().next().value!);
    comparisons.set(key, result);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Publishing
// ---------------------------------------------------------------------------------------------

export interface PublishInput {
  codeId: string;
  kind: "major" | "minor";
  /** The newest version the publisher saw ("" before the first release): a guard against racing publishes. */
  expectedLatest: string;
  notes: string;
  /** "waarom dit veranderde" per section id. */
  whyChanged: Record<string, string>;
  overrides: ReleaseOverride[];
}

export interface PublishPreview {
  latest: ReleaseSummary | null;
  proposed: { minor: string; major: string };
  readiness: SectionReadiness[];
  sections: { id: string; title: string; position: number; ready: boolean; changed: boolean; whyChanged: string }[];
}

/** What the publish page shows: readiness, the proposed versions, and which sections changed since the latest release. */
export async function publishPreview(db: DB, actor: Actor, codeId: string): Promise<PublishPreview> {
  authorize(actor, "release.publish");
  await getCode(db, codeId);
  const [latest, ready, draft] = await Promise.all([currentRelease(db, codeId), readiness(db, codeId), draftSections(db, codeId)]);
  const notes = await resolvedThreadNotes(db, codeId, latest ? new Date(latest.publishedAt) : null);
  const readyById = new Map(ready.map((r) => [r.sectionId, r.ready]));
  const changed = latest ? new Map(compareSections(latest, { version: "draft", sections: draft }).changes.map((c) => [c.sectionId, c.status !== "unchanged"])) : null;
  const summary = latest ? (({ overrides: _o, reviewStates: _r, sections: _s, ...rest }) => rest)(latest) : null;
  return {
    latest: summary,
    proposed: { minor: nextVersion(latest?.version ?? null, "minor"), major: nextVersion(latest?.version ?? null, "major") },
    readiness: ready,
    sections: draft.map((s) => ({ id: s.sectionId, title: s.title, position: s.position, ready: readyById.get(s.sectionId) ?? true, changed: changed ? (changed.get(s.sectionId) ?? true) : true, whyChanged: notes.get(s.sectionId) ?? "" })),
  };
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "23505";

/**
 * Freezes the current draft into the next version. Only the ministry; every unready section
 * must be named in `overrides` with a reason; a publish based on an outdated `expectedLatest`
 * (someone else published meanwhile) is a CONFLICT, as is a lost race on the version.
 */
export async function publishRelease(db: DB, actor: Actor, input: PublishInput): Promise<ReleaseSummary> {
  authorize(actor, "release.publish");
  const code = await getCode(db, input.codeId);
  const ready = await readiness(db, input.codeId);
  const unready = ready.filter((r) => !r.ready).map((r) => r.sectionId);
  const reasons = new Map(input.overrides.map((o) => [o.sectionId, o.reason.trim()]));
  const missing = unready.filter((id) => !reasons.get(id));
  if (missing.length) {
    throw new AppError("INVALID", "release.overrideRequired", { fieldErrors: Object.fromEntries(missing.map((id) => [`override.${id}`, "release.overrideReasonRequired"])), missing });
  }
  const overrides = unready.map((id) => ({ sectionId: id, reason: reasons.get(id)! }));
  const draft = await draftSections(db, input.codeId);

  let published: { id: string; version: string; major: number; minor: number; published_at: Date };
  try {
    published = await db.transaction().execute(async (trx) => {
      // One publication per code at a time (several app instances share the database).
      await sql`select pg_advisory_xact_lock(hashtext(${`release:${input.codeId}`}))`.execute(trx);
      const latest = await trx.selectFrom("releases").select("version").where("code_id", "=", input.codeId).orderBy("major", "desc").orderBy("minor", "desc").limit(1).executeTakeFirst();
      if ((latest?.version ?? "") !== input.expectedLatest) throw new AppError("CONFLICT", "release.conflict", { latest: latest?.version ?? null });
      const { major, minor } = parseVersion(nextVersion(latest?.version ?? null, input.kind))!;
      const row = await trx
        .insertInto("releases")
        .values({
          code_id: input.codeId,
          code_title: code.title,
          major,
          minor,
          notes: input.notes.trim(),
          published_by: actor.id,
          overrides: JSON.stringify(overrides),
          review_states: JSON.stringify(frozenReviewStates(ready)),
        })
        .returning(["id", "version", "major", "minor", "published_at"])
        .executeTakeFirstOrThrow();
      if (draft.length) {
        await trx
          .insertInto("release_sections")
          .values(
            draft.map((s) => ({
              release_id: row.id,
              section_id: s.sectionId,
              position: s.position,
              title: s.title,
              content_json: JSON.stringify(s.contentJson),
              html: s.html,
              text: s.text,
              why_changed: (input.whyChanged[s.sectionId] ?? "").trim(),
            })),
          )
          .execute();
      }
      await recordEvent(trx, { actorId: actor.id, action: "release.published", subjectType: "release", subjectId: `${input.codeId}/${row.version}`, data: { releaseId: row.id, overrides } });
      return row;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("CONFLICT", "release.conflict");
    throw e;
  }
  emit("release.published", { codeId: input.codeId, releaseId: published.id, version: published.version, major: published.major, minor: published.minor, publishedBy: actor.id });
  const release = await loadRelease(db, published.id);
  // "What changed since the previous version" is what readers open first: compared once, now.
  if (input.expectedLatest) {
    const previous = input.expectedLatest;
    setImmediate(() => {
      compareReleases(db, input.codeId, previous, published.version).catch((err) => log().warn({ err, version: published.version }, "comparing the new release in advance failed"));
    });
  }
  const { overrides: _o, reviewStates: _r, sections: _s, ...summary } = release;
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Serving: strong ETags, long-lived caching for immutable bodies, CORS for the open data
// ---------------------------------------------------------------------------------------------

export const IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";
export const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
  "Access-Control-Allow-Headers": "If-None-Match",
  "Access-Control-Expose-Headers": "ETag",
  "Access-Control-Max-Age": "86400",
};

/** A body with a strong ETag computed now (for resources that change, like the list). */
export function withEtag(body: string): CachedBody {
  return toCachedBody(body);
}

function matchesEtag(request: Request, etag: string): boolean {
  const header = request.headers.get("If-None-Match");
  if (!header) return false;
  return header.trim() === "*" || header.split(",").some((t) => t.trim() === etag);
}

/** 200 with the body, or 304 when the client already holds this exact representation. */
export function cachedResponse(request: Request, entry: CachedBody, contentType: string, headers: Record<string, string>): Response {
  const common = { ETag: entry.etag, ...headers };
  if (matchesEtag(request, entry.etag)) return new Response(null, { status: 304, headers: common });
  return new Response(request.method === "HEAD" ? null : entry.bytes, {
    status: 200,
    headers: { ...common, "Content-Type": contentType, "Content-Length": String(entry.bytes.byteLength) },
  });
}

/** A coded error as a JSON answer for the open-data API (other errors propagate). */
export function apiError(e: unknown): Response {
  if (!isAppError(e)) throw e;
  const status = e.status;
  return new Response(JSON.stringify({ error: e.code, message: e.messageKey }), {
    status,
    headers: { ...CORS_HEADERS, "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

/** The answer to a CORS preflight (a GET with If-None-Match is not a "simple" request); 405 for other methods. */
export function corsPreflight(request: Request): Response {
  return new Response(null, { status: request.method === "OPTIONS" ? 204 : 405, headers: { ...CORS_HEADERS, Allow: "GET, HEAD, OPTIONS" } });
}
