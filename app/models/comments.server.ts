// Comment threads on a section: anchored to a span (Yjs relative positions + the quote) or to
// the whole section; replies, edit/delete own, resolve/reopen, moderation by the ministry.
// Every change is pushed to the section's live listeners (server-sent events, see
// `onCommentsChanged`) and fans out to notifications.
import { initProseMirrorDoc } from "@tiptap/y-tiptap";
import { EventEmitter } from "node:events";
import * as Y from "yjs";
import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "~/db.server";
import { resolveInProseMirror } from "~/domain/anchors";
import { AppError } from "~/domain/errors";
import { docName, richTextSchema, YDOC_FRAGMENT } from "~/domain/richtext";
import { authorize, type Actor } from "~/policies.server";
import { recordEvent } from "./audit.server";
import { findMentions } from "./mentions.server";
import { notifyForComment } from "./notifications.server";
import { getSection } from "./sections.server";
import { loadDocState } from "./ydocs.server";

type DB = Kysely<Database>;

/** Longest comment; a 10,000-character line still fits, a pasted book does not. */
export const COMMENT_MAX = 20_000;
export const QUOTE_MAX = 2_000;

const base64 = z.string().max(4000).regex(/^[A-Za-z0-9+/=_-]*$/, "field.invalid");

export const CommentBodySchema = z
  .string()
  .transform((s) => s.replace(/\r\n?/g, "\n").trim())
  .pipe(z.string().min(1, "comments.empty"));

export const CommentActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("create"),
    body: z.string(),
    anchorStart: base64.optional().default(""),
    anchorEnd: base64.optional().default(""),
    quote: z.string().max(QUOTE_MAX * 2).optional().default(""),
  }),
  z.object({ intent: z.literal("reply"), threadId: z.string().uuid("field.invalid"), body: z.string() }),
  z.object({ intent: z.literal("edit"), commentId: z.string().uuid("field.invalid"), body: z.string() }),
  z.object({ intent: z.literal("delete"), commentId: z.string().uuid("field.invalid") }),
  z.object({ intent: z.literal("resolve"), threadId: z.string().uuid("field.invalid") }),
  z.object({ intent: z.literal("reopen"), threadId: z.string().uuid("field.invalid") }),
  z.object({ intent: z.literal("hide"), commentId: z.string().uuid("field.invalid"), reason: z.string().trim().min(1, "comments.hideReasonRequired").max(500, "field.tooLong") }),
  z.object({ intent: z.literal("unhide"), commentId: z.string().uuid("field.invalid") }),
]);
export type CommentAction = z.output<typeof CommentActionSchema>;

/** Validates a comment body: normalised line breaks, not empty, not longer than COMMENT_MAX (413). */
export function checkBody(raw: string): string {
  const parsed = CommentBodySchema.safeParse(raw);
  if (!parsed.success) throw new AppError("INVALID", "comments.empty", { fieldErrors: { body: "comments.empty" } });
  if (parsed.data.length > COMMENT_MAX) throw new AppError("TOO_LARGE", "comments.tooLong", { fieldErrors: { body: "comments.tooLong" } });
  return parsed.data;
}

// --- live updates -------------------------------------------------------------------------

export interface CommentsChange {
  codeId: string;
  sectionId: string;
  threadId: string;
  what: "created" | "replied" | "edited" | "deleted" | "resolved" | "reopened" | "hidden" | "unhidden";
}

const g = globalThis as unknown as { __codewerfComments?: EventEmitter };
function bus(): EventEmitter {
  g.__codewerfComments ??= new EventEmitter().setMaxListeners(0);
  return g.__codewerfComments;
}

/** Subscribes to the changes of one section's threads (the SSE endpoint). */
export function onCommentsChanged(codeId: string, sectionId: string, listener: (c: CommentsChange) => void): () => void {
  const key = `${codeId}/${sectionId}`;
  bus().on(key, listener);
  return () => bus().off(key, listener);
}

function announce(change: CommentsChange) {
  bus().emit(`${change.codeId}/${change.sectionId}`, change);
}

// --- reading --------------------------------------------------------------------------------

export interface CommentView {
  id: string;
  authorId: string | null;
  /** "" for a deleted account (the page shows `user.deleted`). */
  authorName: string;
  /** Empty when deleted, or hidden and the viewer is neither the author nor the ministry. */
  body: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  hidden: { reason: string; at: string } | null;
}

export interface ThreadView {
  id: string;
  anchorStart: string | null;
  anchorEnd: string | null;
  quote: string;
  kind: "comment" | "changes_requested";
  status: "open" | "resolved";
  resolvedBy: string | null;
  resolvedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  /** The anchored text is gone from the stored document ("tekst verwijderd"). */
  detached: boolean;
  comments: CommentView[];
}

interface ThreadRow {
  id: string;
  anchor_start: string | null;
  anchor_end: string | null;
  quote: string;
  kind: "comment" | "changes_requested";
  status: "open" | "resolved";
  resolved_at: Date | null;
  resolved_name: string | null;
  created_by: string | null;
  created_at: Date;
}
interface CommentRow {
  id: string;
  thread_id: string;
  author_id: string | null;
  author_name: string | null;
  body: string;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  hidden_at: Date | null;
  hidden_reason: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** All threads of a section with their comments, oldest first, as this viewer may see them. */
export async function listThreads(db: DB, viewer: Actor, codeId: string, sectionId: string): Promise<ThreadView[]> {
  const [threads, comments] = await Promise.all([
    sql<ThreadRow>`
      select t.id, t.anchor_start, t.anchor_end, t.quote, t.kind, t.status, t.resolved_at, ru.display_name as resolved_name,
             t.created_by, t.created_at
        from comment_threads t left join users ru on ru.id = t.resolved_by
       where t.code_id = ${codeId} and t.section_id = ${sectionId}
       order by t.created_at, t.id`.execute(db),
    sql<CommentRow>`
      select c.id, c.thread_id, c.author_id, u.display_name as author_name, c.body, c.created_at, c.edited_at, c.deleted_at,
             c.hidden_at, c.hidden_reason
        from comment_threads t join comments c on c.thread_id = t.id left join users u on u.id = c.author_id
       where t.code_id = ${codeId} and t.section_id = ${sectionId}
       order by c.created_at, c.id`.execute(db),
  ]);
  const moderator = viewer.role === "ministry";
  const byThread = new Map<string, CommentView[]>();
  for (const c of comments.rows) {
    const mayReadHidden = moderator || c.author_id === viewer.id;
    const view: CommentView = {
      id: c.id,
      authorId: c.author_id,
      authorName: c.author_name ?? "",
      body: c.deleted_at || (c.hidden_at && !mayReadHidden) ? "" : c.body,
      createdAt: iso(c.created_at)!,
      editedAt: iso(c.edited_at),
      deleted: c.deleted_at !== null,
      hidden: c.hidden_at ? { reason: mayReadHidden ? (c.hidden_reason ?? "") : "", at: iso(c.hidden_at)! } : null,
    };
    const list = byThread.get(c.thread_id);
    if (list) list.push(view);
    else byThread.set(c.thread_id, [view]);
  }
  const detached = await detachedAnchors(db, codeId, sectionId, threads.rows);
  return threads.rows.map((t) => ({
    id: t.id,
    anchorStart: t.anchor_start,
    anchorEnd: t.anchor_end,
    quote: t.quote,
    kind: t.kind,
    status: t.status,
    resolvedBy: t.status === "resolved" ? (t.resolved_name ?? "") : null,
    resolvedAt: t.status === "resolved" ? iso(t.resolved_at) : null,
    createdBy: t.created_by,
    createdAt: iso(t.created_at)!,
    detached: detached.has(t.id),
    comments: byThread.get(t.id) ?? [],
  }));
}

/** Ids of anchored threads whose text is no longer in the stored document. */
async function detachedAnchors(db: DB, codeId: string, sectionId: string, threads: { id: string; anchor_start: string | null; anchor_end: string | null }[]): Promise<Set<string>> {
  const anchored = threads.filter((t) => t.anchor_start && t.anchor_end);
  const out = new Set<string>();
  if (!anchored.length) return out;
  const { state } = await loadDocState(db, docName(codeId, sectionId));
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, state);
  const type = ydoc.getXmlFragment(YDOC_FRAGMENT);
  const { mapping } = initProseMirrorDoc(type, richTextSchema);
  for (const t of anchored) if (!resolveInProseMirror(ydoc, type, mapping, { start: t.anchor_start!, end: t.anchor_end! })) out.add(t.id);
  ydoc.destroy();
  return out;
}

// --- writing --------------------------------------------------------------------------------

async function threadOf(db: DB, threadId: string) {
  const t = await db.selectFrom("comment_threads").select(["id", "code_id", "section_id", "status"]).where("id", "=", threadId).executeTakeFirst();
  if (!t) throw new AppError("NOT_FOUND", "comments.notFound");
  return t;
}

async function commentOf(db: DB, commentId: string) {
  const c = await db
    .selectFrom("comments as c")
    .innerJoin("comment_threads as t", "t.id", "c.thread_id")
    .select(["c.id", "c.thread_id", "c.author_id", "c.deleted_at", "c.hidden_at", "t.code_id", "t.section_id"])
    .where("c.id", "=", commentId)
    .executeTakeFirst();
  if (!c) throw new AppError("NOT_FOUND", "comments.notFound");
  return c;
}

function sameSection(found: { code_id: string; section_id: string }, codeId: string, sectionId: string) {
  if (found.code_id !== codeId || found.section_id !== sectionId) throw new AppError("NOT_FOUND", "comments.notFound");
}

export async function createThread(
  db: DB,
  actor: Actor,
  input: { codeId: string; sectionId: string; body: string; anchorStart?: string; anchorEnd?: string; quote?: string; kind?: "comment" | "changes_requested" },
): Promise<{ threadId: string; commentId: string }> {
  authorize(actor, "comment.create");
  const body = checkBody(input.body);
  await getSection(db, input.codeId, input.sectionId);
  const anchored = Boolean(input.anchorStart && input.anchorEnd);
  const quote = anchored ? (input.quote ?? "").slice(0, QUOTE_MAX) : "";
  const mentions = await findMentions(db, body);
  const ids = await db.transaction().execute(async (trx) => {
    const thread = await trx
      .insertInto("comment_threads")
      .values({
        code_id: input.codeId,
        section_id: input.sectionId,
        anchor_start: anchored ? input.anchorStart! : null,
        anchor_end: anchored ? input.anchorEnd! : null,
        quote,
        kind: input.kind ?? "comment",
        created_by: actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const comment = await insertComment(trx, thread.id, actor.id, body, mentions);
    return { threadId: thread.id, commentId: comment };
  });
  announce({ codeId: input.codeId, sectionId: input.sectionId, threadId: ids.threadId, what: "created" });
  await notifyForComment(db, { actorId: actor.id, codeId: input.codeId, sectionId: input.sectionId, threadId: ids.threadId, commentId: ids.commentId, mentions, isReply: false });
  return ids;
}

async function insertComment(trx: DB, threadId: string, authorId: string, body: string, mentions: { userIds: string[]; organisationIds: string[] }): Promise<string> {
  const comment = await trx.insertInto("comments").values({ thread_id: threadId, author_id: authorId, body }).returning("id").executeTakeFirstOrThrow();
  const rows = [
    ...mentions.userIds.map((user_id) => ({ comment_id: comment.id, user_id, organisation_id: null })),
    ...mentions.organisationIds.map((organisation_id) => ({ comment_id: comment.id, user_id: null, organisation_id })),
  ];
  if (rows.length) await trx.insertInto("comment_mentions").values(rows).execute();
  return comment.id;
}

export async function reply(db: DB, actor: Actor, codeId: string, sectionId: string, threadId: string, rawBody: string): Promise<{ commentId: string }> {
  authorize(actor, "comment.create");
  const body = checkBody(rawBody);
  const thread = await threadOf(db, threadId);
  sameSection(thread, codeId, sectionId);
  const mentions = await findMentions(db, body);
  const commentId = await db.transaction().execute(async (trx) => {
    const id = await insertComment(trx, threadId, actor.id, body, mentions);
    await trx.updateTable("comment_threads").set({ updated_at: new Date() }).where("id", "=", threadId).execute();
    return id;
  });
  announce({ codeId, sectionId, threadId, what: "replied" });
  await notifyForComment(db, { actorId: actor.id, codeId, sectionId, threadId, commentId, mentions, isReply: true });
  return { commentId };
}

/** Only the author edits, and not after deleting or while hidden. */
export async function editComment(db: DB, actor: Actor, codeId: string, sectionId: string, commentId: string, rawBody: string): Promise<void> {
  authorize(actor, "comment.create");
  const body = checkBody(rawBody);
  const c = await commentOf(db, commentId);
  sameSection(c, codeId, sectionId);
  if (c.author_id !== actor.id) throw new AppError("FORBIDDEN", "comments.notYours");
  if (c.deleted_at) throw new AppError("CONFLICT", "comments.alreadyDeleted");
  await db.updateTable("comments").set({ body, edited_at: new Date() }).where("id", "=", commentId).execute();
  announce({ codeId, sectionId, threadId: c.thread_id, what: "edited" });
}

/** Only the author deletes; the comment stays as "verwijderd" so the thread still reads. */
export async function deleteComment(db: DB, actor: Actor, codeId: string, sectionId: string, commentId: string): Promise<void> {
  authorize(actor, "comment.create");
  const c = await commentOf(db, commentId);
  sameSection(c, codeId, sectionId);
  if (c.author_id !== actor.id) throw new AppError("FORBIDDEN", "comments.notYours");
  if (c.deleted_at) return;
  await db.updateTable("comments").set({ body: "", deleted_at: new Date() }).where("id", "=", commentId).execute();
  announce({ codeId, sectionId, threadId: c.thread_id, what: "deleted" });
}

export async function setThreadStatus(db: DB, actor: Actor, codeId: string, sectionId: string, threadId: string, status: "open" | "resolved"): Promise<void> {
  authorize(actor, "comment.create");
  const thread = await threadOf(db, threadId);
  sameSection(thread, codeId, sectionId);
  if (thread.status === status) return;
  await db
    .updateTable("comment_threads")
    .set(status === "resolved" ? { status, resolved_by: actor.id, resolved_at: new Date(), updated_at: new Date() } : { status, resolved_by: null, resolved_at: null, updated_at: new Date() })
    .where("id", "=", threadId)
    .execute();
  await recordEvent(db, { actorId: actor.id, action: status === "resolved" ? "thread.resolved" : "thread.reopened", subjectType: "thread", subjectId: threadId, data: { codeId, sectionId } });
  announce({ codeId, sectionId, threadId, what: status === "resolved" ? "resolved" : "reopened" });
}

/** The ministry hides a comment with a reason (the author still sees it, with the reason); audited. */
export async function hideComment(db: DB, actor: Actor, codeId: string, sectionId: string, commentId: string, reason: string | null): Promise<void> {
  authorize(actor, "comment.moderate");
  const c = await commentOf(db, commentId);
  sameSection(c, codeId, sectionId);
  const hide = reason !== null;
  await db
    .updateTable("comments")
    .set(hide ? { hidden_at: new Date(), hidden_by: actor.id, hidden_reason: reason } : { hidden_at: null, hidden_by: null, hidden_reason: null })
    .where("id", "=", commentId)
    .execute();
  await recordEvent(db, {
    actorId: actor.id,
    action: hide ? "comment.hidden" : "comment.unhidden",
    subjectType: "section",
    subjectId: `${codeId}/${sectionId}`,
    data: { commentId, threadId: c.thread_id, ...(hide ? { reason } : {}) },
  });
  announce({ codeId, sectionId, threadId: c.thread_id, what: hide ? "hidden" : "unhidden" });
}

/** Runs one form intent of the comments endpoint. */
export async function runCommentAction(db: DB, actor: Actor, codeId: string, sectionId: string, a: CommentAction): Promise<{ threadId?: string; commentId?: string }> {
  switch (a.intent) {
    case "create":
      return createThread(db, actor, { codeId, sectionId, body: a.body, anchorStart: a.anchorStart, anchorEnd: a.anchorEnd, quote: a.quote });
    case "reply":
      return { threadId: a.threadId, ...(await reply(db, actor, codeId, sectionId, a.threadId, a.body)) };
    case "edit":
      await editComment(db, actor, codeId, sectionId, a.commentId, a.body);
      return { commentId: a.commentId };
    case "delete":
      await deleteComment(db, actor, codeId, sectionId, a.commentId);
      return { commentId: a.commentId };
    case "resolve":
    case "reopen":
      await setThreadStatus(db, actor, codeId, sectionId, a.threadId, a.intent === "resolve" ? "resolved" : "open");
      return { threadId: a.threadId };
    case "hide":
      await hideComment(db, actor, codeId, sectionId, a.commentId, a.reason);
      return { commentId: a.commentId };
    case "unhide":
      await hideComment(db, actor, codeId, sectionId, a.commentId, null);
      return { commentId: a.commentId };
  }
}

/** Moderation trail: hidden comments and section locks, newest first. */
export function moderationTrail(db: DB, codeId: string, limit = 100) {
  return db
    .selectFrom("audit_events as a")
    .leftJoin("users as u", "u.id", "a.actor_id")
    .select(["a.id", "a.at", "a.action", "a.subject_id", "a.data", "u.display_name as actor_name"])
    .where("a.action", "in", ["comment.hidden", "comment.unhidden", "section.locked", "section.unlocked"])
    .where("a.subject_id", "like", `${codeId.replace(/[\\%_]/g, "\\$&")}/%`)
    .orderBy("a.id", "desc")
    .limit(limit)
    .execute();
}

/** Everything the section page needs for its comments and review panels. */
export async function sectionDiscussion(db: DB, viewer: Actor & { organisation_name?: string | null }, codeId: string, sectionId: string, reviewerIds: string[]) {
  const { sectionReviews, changesSinceApproval } = await import("./reviews.server");
  const [threads, cells] = await Promise.all([listThreads(db, viewer, codeId, sectionId), sectionReviews(db, codeId, sectionId)]);
  const redlines = await Promise.all(
    cells.filter((c) => c.state === "stale").map(async (c) => ({ organisationId: c.organisationId, parts: await changesSinceApproval(db, codeId, sectionId, c.organisationId) })),
  );
  const reviewsMine = viewer.role === "expert" && viewer.organisation_id !== null && reviewerIds.includes(viewer.organisation_id);
  return {
    threads,
    viewer: { id: viewer.id, moderator: viewer.role === "ministry" },
    review: {
      cells: cells.map((c) => ({ organisationId: c.organisationId, organisationName: c.organisationName, state: c.state, at: c.at ? c.at.toISOString() : null, by: c.by })),
      redlines,
      myOrganisation: reviewsMine ? { id: viewer.organisation_id!, name: cells.find((c) => c.organisationId === viewer.organisation_id)?.organisationName ?? viewer.organisation_name ?? "" } : null,
    },
  };
}
