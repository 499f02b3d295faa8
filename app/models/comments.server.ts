// Comment threads on a section: anchored to a span (Yjs relative positions + the quote) or to
// the whole section; replies, edit/delete own, resolve/reopen, moderation by the ministry.
// Every change is pushed to the section's live listeners (server-sent events, see
// `onCommentsChanged`) and fans out to notifications.
import { initProseMirrorDoc } from "@tiptap/y-tiptap";
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import * as Y from "yjs";
import { sql, type Kysely, type RawBuilder } from "kysely";
import { z } from "zod";
import { listenerFor, type Database } from "~/db.server";
import { resolveInProseMirror } from "~/domain/anchors";
import { AppError } from "~/domain/errors";
import { docName, richTextSchema, YDOC_FRAGMENT } from "~/domain/richtext";
import { authorize, type Actor } from "~/policies.server";
import { recordEvent } from "./audit.server";
import { findMentions } from "./mentions.server";
import { commentNotificationsInsert, notifyForComment } from "./notifications.server";
import { NOTICES_AFTER_COMMIT, pageNotice, sectionScope, sendNotices, userScope } from "./page-notices.server";
import { docVersionSql, getSection } from "./sections.server";
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

const CHANGE_KINDS = ["created", "replied", "edited", "deleted", "resolved", "reopened", "hidden", "unhidden", "resync"] as const;

export interface CommentsChange {
  codeId: string;
  sectionId: string;
  /** "" for "reload everything" (after the cross-instance notices were interrupted). */
  threadId: string;
  what: (typeof CHANGE_KINDS)[number];
}

/**
 * Changes reach the live streams of every instance: announced on this process's bus at once,
 * and as a PostgreSQL NOTIFY on this channel, which the other instances (each listening on a
 * connection of its own) put on theirs. An instance skips its own notices by id.
 */
const COMMENTS_CHANNEL = "codewerf_comments";
const RELISTEN_MS = [250, 1000, 5000, 15_000];

const g = globalThis as unknown as { __codewerfComments?: EventEmitter; __codewerfCommentsInstance?: string; __codewerfCommentsListen?: ListenState };
/** The cross-instance listening of one database; `listening` settles once LISTEN first holds. */
interface ListenState {
  db: DB;
  attempt: number;
  listening: Promise<void>;
  heard: () => void;
}
function bus(): EventEmitter {
  g.__codewerfComments ??= new EventEmitter().setMaxListeners(0);
  return g.__codewerfComments;
}
function instanceId(): string {
  g.__codewerfCommentsInstance ??= randomUUID();
  return g.__codewerfCommentsInstance;
}

const CrossInstanceChange = z.object({
  from: z.string(),
  codeId: z.string(),
  sectionId: z.string(),
  threadId: z.string(),
  what: z.enum(CHANGE_KINDS),
});

/**
 * Starts listening for the other instances' changes once per database (idempotent). Resolves
 * once the LISTEN holds (at once where there is nothing to listen to): what other instances
 * commit from then on is heard.
 */
function listenAcrossInstances(db: DB): Promise<void> {
  const listen = listenerFor(db);
  if (!listen) return Promise.resolve();
  if (g.__codewerfCommentsListen?.db === db) return g.__codewerfCommentsListen.listening;
  let heard = () => {};
  const listening = new Promise<void>((resolve) => (heard = resolve));
  const state: ListenState = { db, attempt: 0, listening, heard };
  g.__codewerfCommentsListen = state;
  const resyncAll = () => {
    for (const key of bus().eventNames()) {
      const [codeId, sectionId] = String(key).split("/");
      bus().emit(String(key), { codeId, sectionId, threadId: "", what: "resync" } satisfies CommentsChange);
    }
  };
  const start = (): void => {
    if (g.__codewerfCommentsListen !== state) return;
    listen(COMMENTS_CHANNEL, {
      message(payload) {
        let parsed;
        try {
          parsed = CrossInstanceChange.safeParse(JSON.parse(payload));
        } catch {
          return;
        }
        if (!parsed.success || parsed.data.from === instanceId()) return;
        const { from: _from, ...change } = parsed.data;
        bus().emit(`${change.codeId}/${change.sectionId}`, change);
      },
      lost() {
        retry();
      },
    }).then(
      () => {
        // Whatever happened while nobody listened: every open stream reloads once.
        if (state.attempt > 0) resyncAll();
        state.attempt = 0;
        state.heard();
      },
      () => retry(),
    );
  };
  const retry = () => {
    const delay = RELISTEN_MS[Math.min(state.attempt++, RELISTEN_MS.length - 1)];
    setTimeout(start, delay).unref();
  };
  start();
  return listening;
}

/** Subscribes to the changes of one section's threads, on every instance (the SSE endpoint). */
export function onCommentsChanged(db: DB, codeId: string, sectionId: string, listener: (c: CommentsChange) => void): { off: () => void; listening: Promise<void> } {
  const listening = listenAcrossInstances(db);
  const key = `${codeId}/${sectionId}`;
  bus().on(key, listener);
  return { off: () => bus().off(key, listener), listening };
}

function announce(db: DB, change: CommentsChange) {
  announceHere(change);
  void sendNotices(db, [{ channel: COMMENTS_CHANNEL, payload: announcement(change) }]);
}

/** Tells this instance's listeners, once the change is committed. */
function announceHere(change: CommentsChange) {
  bus().emit(`${change.codeId}/${change.sectionId}`, change);
}

/** The notice to the other instances (sent after the commit: page-notices.server.ts). */
function announcement(change: CommentsChange): string {
  return JSON.stringify({ from: instanceId(), ...change });
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
  resolved_at: Date | string | null;
  resolved_by: string | null;
  created_by: string | null;
  created_at: Date | string;
  revision: string;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** A section's threads and comments as stored, with dates as ISO strings; names are looked up per load. */
interface StoredThread {
  id: string;
  revision: string;
  anchorStart: string | null;
  anchorEnd: string | null;
  quote: string;
  kind: "comment" | "changes_requested";
  status: "open" | "resolved";
  resolvedById: string | null;
  resolvedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  comments: StoredComment[];
}
interface StoredComment {
  id: string;
  authorId: string | null;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  hiddenAt: string | null;
  hiddenReason: string | null;
}
interface StoredSection {
  /** The threads' fingerprint (`threadsVersionSql`) the rows were read at, or before. */
  version: string;
  /** Oldest first (created_at, id). */
  threads: StoredThread[];
}

/**
 * Comment data per section, valid while the section's fingerprint is unchanged. The database
 * gives a thread or a comment a new revision on every change to it (migrations 0006 and 0009,
 * triggers), so any writer, on any instance, invalidates it; after a change only the threads
 * with a new version are read again. Names are not cached: every load reads the current names
 * of the people shown, so a renamed or erased account shows at once.
 */
const storedSections = new WeakMap<DB, Map<string, StoredSection>>();
const STORED_SECTIONS_MAX = 200;

/** Per database (a process may hold several, e.g. tests), each map bounded: the oldest entry goes first. */
function cacheOf<V>(caches: WeakMap<DB, Map<string, V>>, db: DB): Map<string, V> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

function remember<V>(cache: Map<string, V>, key: string, value: V, max: number) {
  cache.delete(key);
  if (cache.size >= max) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

/**
 * A fingerprint of a section's threads and comments: count, max and sum of the threads'
 * revisions and the newest comment revision. Every change gives a row a new, larger revision
 * from one sequence (a removed comment touches its thread) and a new thread adds one, so the
 * fingerprint changes with every committed change and never returns to an earlier value.
 */
function threadsVersionSql(codeId: string, sectionId: string) {
  return sql<string>`(select count(*)::text || '/' || coalesce(max(t.revision), 0)::text || '/' || coalesce(sum(t.revision), 0)::text || '/' || coalesce(max(c.newest), 0)::text
      from comment_threads t
      cross join lateral (select max(revision) as newest from comments where thread_id = t.id) c
     where t.code_id = ${codeId} and t.section_id = ${sectionId})`;
}

/**
 * A thread's version (for the row aliased `t`): its own revision and its newest comment's
 * (migration 0009: a new or changed comment takes a larger one, a removed one touches the thread).
 */
const threadRevisionSql = () => sql<string>`(t.revision::text || '.' || coalesce((select max(c.revision) from comments c where c.thread_id = t.id), 0)::text)`;

function storedThread(t: ThreadRow, comments: StoredComment[]): StoredThread {
  return {
    id: t.id,
    revision: t.revision,
    anchorStart: t.anchor_start,
    anchorEnd: t.anchor_end,
    quote: t.quote,
    kind: t.kind,
    status: t.status,
    resolvedById: t.resolved_by,
    resolvedAt: iso(t.resolved_at),
    createdBy: t.created_by,
    createdAt: iso(t.created_at)!,
    comments,
  };
}

/** Every thread and comment of the section; call after reading `version`, so the rows are at least that new. */
async function readSection(db: DB, codeId: string, sectionId: string, version: string): Promise<StoredSection> {
  // One statement; each thread's comments arrive as one JSON text (one parse instead of a pg row
  // with four timestamps per comment: a cold load of 5,500 comments spent most of its time there).
  const { rows } = await sql<Omit<ThreadRow, "revision"> & { comments: string }>`
    select t.id, t.anchor_start, t.anchor_end, t.quote, t.kind, t.status, t.resolved_at, t.resolved_by,
           t.created_by, t.created_at, ${threadCommentsJsonSql()} as comments
      from comment_threads t
     where t.code_id = ${codeId} and t.section_id = ${sectionId}
     order by t.created_at, t.id`.execute(db);
  return { version, threads: rows.map(threadFromRow) };
}

/**
 * A thread's version and comments, oldest first, as one text (for the row aliased `t`): the
 * version as `threadRevisionSql` gives it, a space, the comments as JSON; read in the same pass
 * over the comments rather than by a second probe per thread.
 */
const threadCommentsJsonSql = () => sql`(select t.revision::text || '.' || coalesce(max(c.revision), 0)::text || ' ' ||
                                     coalesce(json_agg(json_build_array(c.id, c.author_id, c.body, ${isoSql(sql.ref("c.created_at"))},
                                     ${isoSql(sql.ref("c.edited_at"))}, ${isoSql(sql.ref("c.deleted_at"))}, ${isoSql(sql.ref("c.hidden_at"))}, c.hidden_reason)
                                     order by c.created_at, c.id), '[]')::text
              from comments c where c.thread_id = t.id)`;

/** A timestamp as `Date#toISOString` writes it (UTC, milliseconds), so the JSON needs no date parsing. */
const isoSql = (column: ReturnType<typeof sql.ref>) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A row's thread as stored, from the text of `threadCommentsJsonSql`. */
function threadFromRow(r: Omit<ThreadRow, "revision"> & { comments: string }): StoredThread {
  const space = r.comments.indexOf(" ");
  return storedThread({ ...r, revision: r.comments.slice(0, space) }, parseThreadComments(r.comments.slice(space + 1)));
}

function parseThreadComments(json: string): StoredComment[] {
  return (JSON.parse(json) as [string, string | null, string, string, string | null, string | null, string | null, string | null][]).map((c) => ({
    id: c[0],
    authorId: c[1],
    body: c[2],
    createdAt: c[3],
    editedAt: c[4],
    deletedAt: c[5],
    hiddenAt: c[6],
    hiddenReason: c[7],
  }));
}

/**
 * Brings a cached section up to date by reading only the threads whose revision changed (or
 * that are new), with their comments, in one statement that also gives the fingerprint and the
 * count it read them at. Null when a thread was deleted (the caller reads everything).
 */
async function refreshSection(db: DB, codeId: string, sectionId: string, cached: StoredSection): Promise<StoredSection | null> {
  const { rows } = await sql<Omit<ThreadRow, "revision"> & { comments: string; version: string; total: string }>`
    select t.id, t.anchor_start, t.anchor_end, t.quote, t.kind, t.status, t.resolved_at, t.resolved_by,
           t.created_by, t.created_at,
           ${threadCommentsJsonSql()} as comments,
           v.version, v.total
      from (select ${threadsVersionSql(codeId, sectionId)} as version,
                   (select count(*)::text from comment_threads where code_id = ${codeId} and section_id = ${sectionId}) as total) v
      left join (
        comment_threads t
        left join unnest(${cached.threads.map((t) => t.id)}::uuid[], ${cached.threads.map((t) => t.revision)}::text[]) k(id, revision) on k.id = t.id
      ) on t.code_id = ${codeId} and t.section_id = ${sectionId} and k.revision is distinct from ${threadRevisionSql()}`.execute(db);
  const changed = new Map<string, StoredThread>();
  for (const r of rows) {
    if (r.id === null) continue;
    changed.set(r.id, threadFromRow(r));
  }
  const threads = cached.threads.map((t) => changed.get(t.id) ?? t);
  const added = [...changed.values()].filter((t) => !cached.threads.some((c) => c.id === t.id));
  if (added.length) threads.push(...added);
  if (threads.length !== Number(rows[0].total)) return null;
  if (added.length) threads.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { version: rows[0].version, threads };
}

/** Loads running now per section, so the listeners that all reload after a change share one read. */
const refreshing = new WeakMap<DB, Map<string, Promise<StoredSection>>>();

async function storedSection(db: DB, codeId: string, sectionId: string, version: string, cached: StoredSection | undefined): Promise<StoredSection> {
  const key = `${codeId}/${sectionId}`;
  const inFlight = cacheOf(refreshing, db);
  const running = inFlight.get(key);
  if (running) {
    const shared = await running.catch(() => null);
    if (shared?.version === version) return shared;
  }
  const load = (async () => (cached && (await refreshSection(db, codeId, sectionId, cached))) || readSection(db, codeId, sectionId, version))();
  inFlight.set(key, load);
  try {
    const stored = await load;
    remember(cacheOf(storedSections, db), key, stored, STORED_SECTIONS_MAX);
    return stored;
  } finally {
    if (inFlight.get(key) === load) inFlight.delete(key);
  }
}

/** All threads of a section with their comments, oldest first, as this viewer may see them. */
export async function listThreads(db: DB, viewer: Actor, codeId: string, sectionId: string): Promise<ThreadView[]> {
  const name = docName(codeId, sectionId);
  const cached = cacheOf(storedSections, db).get(`${codeId}/${sectionId}`);
  const people = new Set<string>();
  for (const t of cached?.threads ?? []) {
    if (t.resolvedById) people.add(t.resolvedById);
    for (const c of t.comments) if (c.authorId) people.add(c.authorId);
  }
  // One round trip when nothing changed: both versions and the current names of the people shown.
  const { rows } = await sql<{ version: string; doc_version: string; names: string }>`
    select ${threadsVersionSql(codeId, sectionId)} as version, ${docVersionSql(name)} as doc_version,
           (select coalesce(json_agg(json_build_array(id, display_name)), '[]')::text from users where id = any(${[...people]}::uuid[])) as names`.execute(db);
  const { version, doc_version: docVersion } = rows[0];
  const names = new Map(JSON.parse(rows[0].names) as [string, string][]);
  // The document is read alongside the comments when its anchors will have to be resolved again.
  const anchorsStale = cacheOf(anchorStates, db).get(name)?.version !== docVersion && (!cached || cached.threads.some((t) => t.anchorStart));
  const docState = anchorsStale ? loadDocState(db, name) : null;
  docState?.catch(() => undefined);
  const stored = cached?.version === version ? cached : await storedSection(db, codeId, sectionId, version, cached);
  if (stored !== cached) {
    const missing = new Set<string>();
    for (const t of stored.threads) {
      if (t.resolvedById && !names.has(t.resolvedById)) missing.add(t.resolvedById);
      for (const c of t.comments) if (c.authorId && !names.has(c.authorId)) missing.add(c.authorId);
    }
    if (missing.size) {
      const found = await db.selectFrom("users").select(["id", "display_name"]).where("id", "in", [...missing]).execute();
      for (const u of found) names.set(u.id, u.display_name);
    }
  }
  const detached = await detachedAnchors(db, name, docVersion, stored.threads, docState);
  const moderator = viewer.role === "ministry";
  return stored.threads.map((t) => ({
    id: t.id,
    anchorStart: t.anchorStart,
    anchorEnd: t.anchorEnd,
    quote: t.quote,
    kind: t.kind,
    status: t.status,
    resolvedBy: t.status === "resolved" ? (t.resolvedById ? (names.get(t.resolvedById) ?? "") : "") : null,
    resolvedAt: t.status === "resolved" ? t.resolvedAt : null,
    createdBy: t.createdBy,
    createdAt: t.createdAt,
    detached: detached.has(t.id),
    comments: t.comments.map((c): CommentView => {
      const mayReadHidden = moderator || c.authorId === viewer.id;
      return {
        id: c.id,
        authorId: c.authorId,
        authorName: c.authorId ? (names.get(c.authorId) ?? "") : "",
        body: c.deletedAt || (c.hiddenAt && !mayReadHidden) ? "" : c.body,
        createdAt: c.createdAt,
        editedAt: c.editedAt,
        deleted: c.deletedAt !== null,
        hidden: c.hiddenAt ? { reason: mayReadHidden ? (c.hiddenReason ?? "") : "", at: c.hiddenAt } : null,
      };
    }),
  }));
}

/**
 * Whether each anchor (start and end, as stored) still has its text, per document version:
 * resolving anchors means decoding the section's Y.Doc, which is done once per version of the
 * document (and again only for anchors not seen at that version yet).
 */
const anchorStates = new WeakMap<DB, Map<string, { version: string; resolves: Map<string, boolean> }>>();
const ANCHOR_STATES_MAX = 200;

/** Ids of anchored threads whose text is no longer in the stored document (`docVersion` read before). */
async function detachedAnchors(
  db: DB,
  name: string,
  docVersion: string,
  threads: { id: string; anchorStart: string | null; anchorEnd: string | null }[],
  /** The stored document, if already being read (after `docVersion`). */
  docState: Promise<{ state: Uint8Array }> | null,
): Promise<Set<string>> {
  const anchored = threads.filter((t) => t.anchorStart && t.anchorEnd);
  const out = new Set<string>();
  if (!anchored.length) return out;
  const anchorKey = (t: (typeof anchored)[number]) => `${t.anchorStart} ${t.anchorEnd}`;
  const states = cacheOf(anchorStates, db);
  let state = states.get(name);
  if (!state || state.version !== docVersion) state = { version: docVersion, resolves: new Map() };
  const missing = anchored.filter((t) => !state!.resolves.has(anchorKey(t)));
  if (missing.length) {
    const { state: update } = await (docState ?? loadDocState(db, name));
    const ydoc = new Y.Doc();
    Y.applyUpdate(ydoc, update);
    const type = ydoc.getXmlFragment(YDOC_FRAGMENT);
    const { mapping } = initProseMirrorDoc(type, richTextSchema);
    for (const t of missing) state.resolves.set(anchorKey(t), resolveInProseMirror(ydoc, type, mapping, { start: t.anchorStart!, end: t.anchorEnd! }) !== null);
    ydoc.destroy();
    remember(states, name, state, ANCHOR_STATES_MAX);
  }
  for (const t of anchored) if (!state.resolves.get(anchorKey(t))) out.add(t.id);
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
  announce(db, { codeId: input.codeId, sectionId: input.sectionId, threadId: ids.threadId, what: "created" });
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

/**
 * A reply in one statement: the thread check (same section), the comment, its mentions and the
 * notifications. One round trip and one commit, and no row stays locked while the server waits.
 * Its notices (the section's page, the notified people's unread counts, the other instances'
 * live streams) go out after the commit, outside PostgreSQL's NOTIFY lock (page-notices.server.ts).
 */
export async function reply(db: DB, actor: Actor, codeId: string, sectionId: string, threadId: string, rawBody: string): Promise<{ commentId: string }> {
  authorize(actor, "comment.create");
  const body = checkBody(rawBody);
  const mentions = await findMentions(db, body);
  const notify = commentNotificationsInsert({ actorId: actor.id, codeId, sectionId, threadId, mentions, isReply: true }, sql<string>`(select id from c)`);
  const change: CommentsChange = { codeId, sectionId, threadId, what: "replied" };
  const { rows } = await sql<{ id: string; notified: string[] }>`
    with thread as (
      select id from comment_threads where id = ${threadId}::uuid and code_id = ${codeId} and section_id = ${sectionId}
    ), c as (
      insert into comments (thread_id, author_id, body) select id, ${actor.id}::uuid, ${body} from thread returning id
    )${mentionsInsertCte(sql`(select id from c)`, mentions)}${notify ? sql`, notified as (${notify} returning user_id)` : sql``}
    select id, ${NOTICES_AFTER_COMMIT},
           ${notify ? sql`(select coalesce(array_agg(user_id), '{}') from notified)` : sql`'{}'::uuid[]`} as notified
      from c`.execute(db);
  if (!rows.length) throw new AppError("NOT_FOUND", "comments.notFound");
  const commentId = rows[0].id;
  announceHere(change);
  await sendNotices(db, [
    pageNotice(sectionScope(codeId, sectionId)),
    ...rows[0].notified.map((id) => pageNotice(userScope(id))),
    { channel: COMMENTS_CHANNEL, payload: announcement(change) },
  ]);
  return { commentId };
}

/** `, mentioned as (insert …)` for a data-modifying WITH, or nothing when the comment mentions nobody. */
function mentionsInsertCte(commentId: RawBuilder<string>, mentions: { userIds: string[]; organisationIds: string[] }) {
  if (!mentions.userIds.length && !mentions.organisationIds.length) return sql``;
  return sql`, mentioned as (
      insert into comment_mentions (comment_id, user_id, organisation_id)
      select ${commentId}, m.user_id, m.organisation_id from (
        select unnest(${mentions.userIds}::uuid[]) as user_id, null::text as organisation_id
        union all
        select null, unnest(${mentions.organisationIds}::text[])
      ) m
    )`;
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
  announce(db, { codeId, sectionId, threadId: c.thread_id, what: "edited" });
}

/** Only the author deletes; the comment stays as "verwijderd" so the thread still reads. */
export async function deleteComment(db: DB, actor: Actor, codeId: string, sectionId: string, commentId: string): Promise<void> {
  authorize(actor, "comment.create");
  const c = await commentOf(db, commentId);
  sameSection(c, codeId, sectionId);
  if (c.author_id !== actor.id) throw new AppError("FORBIDDEN", "comments.notYours");
  if (c.deleted_at) return;
  await db.updateTable("comments").set({ body: "", deleted_at: new Date() }).where("id", "=", commentId).execute();
  announce(db, { codeId, sectionId, threadId: c.thread_id, what: "deleted" });
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
  announce(db, { codeId, sectionId, threadId, what: status === "resolved" ? "resolved" : "reopened" });
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
  announce(db, { codeId, sectionId, threadId: c.thread_id, what: hide ? "hidden" : "unhidden" });
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
