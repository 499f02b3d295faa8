// The one Kysely instance per process: PostgreSQL through `pg` when DATABASE_URL is set,
// else embedded PGlite under DATA_DIR. Kept on globalThis so the Remix build and the custom
// server share it (two PGlites on one directory would corrupt it).
import type { PGliteInterface, PGliteOptions } from "@electric-sql/pglite";
import type { ColumnType, Generated, GeneratedAlways, Selectable } from "kysely";
import { Kysely, PGliteDialect, PostgresDialect } from "kysely";
import fs from "node:fs";
import path from "node:path";
import { prepareRepeatedStatements } from "./pg-prepared.server";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
export type Json<T> = ColumnType<T, string | T, string | T>;

export type Role = "influencer" | "agency" | "expert" | "ministry";
export type OrganisationKind = "expert" | "ministry" | "agency";
export type TokenKind = "confirm_email" | "invite" | "password_reset" | "pledge_confirm" | "pledge_guardian";

export interface OrganisationsTable {
  id: string;
  name: string;
  kind: OrganisationKind;
  fields: Json<string[]>;
  description: string;
  created_at: Generated<Date>;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  role: Role;
  organisation_id: string | null;
  in_drafting_group: Generated<boolean>;
  locale: Generated<string>;
  password_hash: string | null;
  email_confirmed_at: NullableTimestamp;
  suspended_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Set by account erasure (the row stays, without name or e-mail). */
  deleted_at: NullableTimestamp;
}

export interface SessionsTable {
  id: string; // HMAC of the token; the token itself lives only in the cookie
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface TokensTable {
  id: string; // HMAC of the token sent by e-mail
  kind: TokenKind;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface OutboxTable {
  id: Generated<number>;
  to_address: string;
  subject: string;
  text_body: string;
  created_at: Generated<Date>;
  sent_at: NullableTimestamp;
  error: string | null;
}

export interface CodesTable {
  id: string;
  title: string;
  description: string;
  created_at: Generated<Date>;
}

export interface SectionsTable {
  code_id: string;
  id: string;
  title: string;
  position: number;
  locked_at: NullableTimestamp;
  locked_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SectionReviewersTable {
  code_id: string;
  section_id: string;
  organisation_id: string;
}

export interface AuditEventsTable {
  id: Generated<string>; // bigserial, returned as a string by pg
  at: Generated<Date>;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  data: Json<Record<string, unknown>>;
}

/** Yjs state per document: a compacted snapshot plus an append-only tail of updates. */
export interface YdocSnapshotsTable {
  doc_name: string;
  state: Uint8Array;
  last_update_id: ColumnType<string, string | number, string | number>;
  updated_at: Generated<Date>;
}

export interface YdocUpdatesTable {
  id: Generated<string>;
  doc_name: string;
  data: Uint8Array;
  user_ids: Json<string[]>;
  created_at: Generated<Date>;
}

// --- tables: editor (#5) ---


// --- tables: history and attribution (#5) ---
export type VersionKind = "auto" | "named" | "restore" | "initial";

/** One snapshot of a section's text: taken when editing settles, named by someone, or a restore. */
export interface SectionVersionsTable {
  id: Generated<string>;
  code_id: string;
  section_id: string;
  kind: VersionKind;
  name: string | null;
  restored_from: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  /** Y.encodeStateAsUpdate of the document at that moment. */
  state: Uint8Array;
  content_json: Json<unknown>;
  text: string;
  words: number;
  words_added: Generated<number>;
  words_removed: Generated<number>;
  author_ids: ColumnType<string[], string | undefined, string>;
}

/** Who wrote the Yjs items [clock_from, clock_to) of client `client_id` in a document. */
export interface YdocAuthorsTable {
  doc_name: string;
  client_id: ColumnType<string, string | number, string | number>;
  clock_from: number;
  clock_to: number;
  user_id: string | null;
}


// --- tables: comments, mentions, inbox and review (#6) ---
export interface CommentThreadsTable {
  id: Generated<string>;
  code_id: string;
  section_id: string;
  anchor_start: string | null;
  anchor_end: string | null;
  quote: Generated<string>;
  kind: Generated<"comment" | "changes_requested">;
  status: Generated<"open" | "resolved">;
  resolved_by: string | null;
  resolved_at: NullableTimestamp;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Bumped by the database on every change to the thread or its comments (0006). */
  revision: Generated<string>;
}

export interface CommentsTable {
  id: Generated<string>;
  thread_id: string;
  author_id: string | null;
  body: string;
  created_at: Generated<Date>;
  edited_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  hidden_at: NullableTimestamp;
  hidden_by: string | null;
  hidden_reason: string | null;
  /** From the comment_revisions sequence, new on every change (migration 0009). */
  revision: Generated<string>;
}

export interface CommentMentionsTable {
  comment_id: string;
  user_id: string | null;
  organisation_id: string | null;
}

export interface ReviewsTable {
  id: Generated<string>;
  code_id: string;
  section_id: string;
  organisation_id: string;
  state: "approved" | "changes_requested";
  user_id: string | null;
  at: Generated<Date>;
  content_hash: string;
  content_text: string;
  stale_at: NullableTimestamp;
  thread_id: string | null;
}

export type NotificationKind = "mention" | "reply" | "review_request" | "release";
export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  kind: NotificationKind;
  actor_id: string | null;
  code_id: string | null;
  section_id: string | null;
  thread_id: string | null;
  comment_id: string | null;
  data: Generated<Json<Record<string, unknown>>>;
  created_at: Generated<Date>;
  read_at: NullableTimestamp;
  emailed_at: NullableTimestamp;
}

export interface MailPreferencesTable {
  user_id: string;
  digest: Generated<boolean>;
  unsubscribe_token: string;
  last_digest_at: NullableTimestamp;
  updated_at: Generated<Date>;
}


// --- tables: releases (#7) ---
/** A published, immutable release (the database refuses UPDATE and DELETE). */
export interface ReleasesTable {
  id: Generated<string>;
  code_id: string;
  major: number;
  minor: number;
  /** "MAJOR.MINOR", generated by the database. */
  version: GeneratedAlways<string>;
  code_title: Generated<string>;
  notes: Generated<string>;
  published_by: string | null;
  published_at: Generated<Date>;
  overrides: ColumnType<{ sectionId: string; reason: string }[], string | undefined, never>;
  review_states: ColumnType<unknown[], string | undefined, never>;
}

export interface ReleaseSectionsTable {
  release_id: string;
  section_id: string;
  position: number;
  title: string;
  content_json: Json<unknown>;
  html: string;
  /** Plain text, for word-level comparison and search. */
  text: string;
  why_changed: Generated<string>;
}


// --- tables: pledges (#8) ---
/** A signature under one release; public once confirmed (and guardian-confirmed for under-13s). */
export interface PledgesTable {
  id: Generated<string>;
  release_id: string;
  user_id: string;
  public_name: string;
  instagram: string | null;
  tiktok: string | null;
  youtube: string | null;
  twitch: string | null;
  text_sha256: string;
  signed_at: Generated<Date>;
  under_13: Generated<boolean>;
  guardian_email: string | null;
  confirm_token_id: string | null;
  guardian_token_id: string | null;
  email_confirmed_at: NullableTimestamp;
  guardian_confirmed_at: NullableTimestamp;
  confirmed_at: NullableTimestamp;
  withdrawn_at: NullableTimestamp;
  withdraw_reason: string | null;
}


export interface Database {
  organisations: OrganisationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  tokens: TokensTable;
  outbox: OutboxTable;
  codes: CodesTable;
  sections: SectionsTable;
  section_reviewers: SectionReviewersTable;
  audit_events: AuditEventsTable;
  ydoc_snapshots: YdocSnapshotsTable;
  ydoc_updates: YdocUpdatesTable;


  // --- database: editor (#5) ---


  // --- database: history and attribution (#5) ---
  section_versions: SectionVersionsTable;
  ydoc_authors: YdocAuthorsTable;


  // --- database: comments, mentions, inbox and review (#6) ---
  comment_threads: CommentThreadsTable;
  comments: CommentsTable;
  comment_mentions: CommentMentionsTable;
  reviews: ReviewsTable;
  notifications: NotificationsTable;
  mail_preferences: MailPreferencesTable;


  // --- database: releases (#7) ---
  releases: ReleasesTable;
  release_sections: ReleaseSectionsTable;


  // --- database: pledges (#8) ---
  pledges: PledgesTable;
}

export type DB = Kysely<Database>;
export type User = Selectable<UsersTable>;
export type Section = Selectable<SectionsTable>;
export type Organisation = Selectable<OrganisationsTable>;

export interface DbOptions {
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
  /** Server-side prepared statements for repeated texts (app/pg-prepared.server.ts); default on unless DATABASE_PREPARE=off. */
  prepare?: boolean;
}

/** Opens a new Kysely instance. Most code wants `db()`; tests and scripts open their own. */
export async function openDatabase(opts: DbOptions): Promise<DB> {
  if (opts.databaseUrl) {
    const pg = await import("pg");
    // bigint (int8) ids stay strings; timestamps become Dates (pg's default).
    const pool = new pg.default.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle connection the server ends (a restart, an administrator) must not end this process;
    // the pool replaces it at the next query.
    pool.on("error", (err) => console.error(`database connection lost: ${err.message}`));
    if (opts.prepare ?? process.env.DATABASE_PREPARE !== "off") prepareRepeatedStatements(pool);
    const instance = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    listeners.set(instance, pgListen(opts.databaseUrl));
    return instance;
  }
  const dir = path.resolve(opts.dataDir ?? "./data", "pglite");
  fs.mkdirSync(dir, { recursive: true });
  const pglite = await openPGlite({ dataDir: dir });
  return pgliteDatabase(pglite);
}

/** A Kysely instance over an open PGlite, able to listen for notifications. */
export function pgliteDatabase(pglite: PGliteInterface): DB {
  const instance = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  listeners.set(instance, pgliteListen(pglite));
  return instance;
}

export interface Listening {
  close(): Promise<void>;
}
export interface ListenHandlers {
  message(payload: string): void;
  /** The connection that listened is gone: notifications may have been missed. */
  lost(error: Error): void;
}
/** LISTEN on a channel; resolves once listening. */
export type Listen = (channel: string, handlers: ListenHandlers) => Promise<Listening>;

// On globalThis: the Remix build and the server are separate module instances of this file.
const listenerRegistry = globalThis as unknown as { __codewerfListeners?: WeakMap<DB, Listen> };
const listeners = (listenerRegistry.__codewerfListeners ??= new WeakMap<DB, Listen>());

const openListenings = (listenerRegistry as { __codewerfListenings?: WeakMap<DB, Set<Listening>> }).__codewerfListenings ??= new WeakMap();

/** How to LISTEN on the database behind this instance (undefined for one opened elsewhere). */
export function listenerFor(instance: DB): Listen | undefined {
  const listen = listeners.get(instance);
  if (!listen) return undefined;
  return async (channel, handlers) => {
    const listening = await listen(channel, handlers);
    let open = openListenings.get(instance);
    if (!open) openListenings.set(instance, (open = new Set()));
    open.add(listening);
    return {
      async close() {
        open.delete(listening);
        await listening.close();
      },
    };
  };
}

/** Ends every LISTEN on this database (before `destroy()`: a listening connection keeps a process alive). */
export async function closeListeners(instance: DB): Promise<void> {
  const open = [...(openListenings.get(instance) ?? [])];
  openListenings.delete(instance);
  await Promise.all(open.map((l) => l.close()));
}

/** PostgreSQL: a connection of its own, outside the pool (a pooled one would be handed out). */
function pgListen(connectionString: string): Listen {
  return async (channel, handlers) => {
    const pg = await import("pg");
    const client = new pg.default.Client({ connectionString });
    let closing = false;
    const lost = (error: Error) => {
      if (closing) return;
      closing = true;
      handlers.lost(error);
      client.end().catch(() => {});
    };
    client.on("notification", (n) => {
      if (n.channel === channel) handlers.message(n.payload ?? "");
    });
    client.on("error", lost);
    client.on("end", () => lost(new Error("the listening connection ended")));
    await client.connect();
    await client.query(`listen ${client.escapeIdentifier(channel)}`);
    return {
      async close() {
        closing = true;
        await client.end().catch(() => {});
      },
    };
  };
}

/** PGlite: one connection in this process, so a notice is lost only if the database closes. */
function pgliteListen(pglite: PGliteInterface): Listen {
  return async (channel, handlers) => {
    const unlisten = await pglite.listen(channel, (payload) => handlers.message(payload));
    return {
      async close() {
        if (!pglite.closed) await unlisten();
      },
    };
  };
}

/**
 * Starts an embedded PGlite (in memory without `dataDir`) with the extensions the migrations
 * create (pg_trgm for the registry search): PGlite loads an extension's code only when it is
 * passed at start, so every opener goes through here.
 */
export async function openPGlite(options: PGliteOptions = {}) {
  const [{ PGlite }, { pg_trgm }] = await Promise.all([import("@electric-sql/pglite"), import("@electric-sql/pglite/contrib/pg_trgm")]);
  return PGlite.create({ ...options, extensions: { ...options.extensions, pg_trgm } });
}

const g = globalThis as unknown as { __codewerfDb?: DB };

/** Installs the process-wide instance (done once by the server or a test harness). */
export function setDb(instance: DB): void {
  g.__codewerfDb = instance;
}

/** The process-wide Kysely instance. */
export function db(): DB {
  if (!g.__codewerfDb) throw new Error("The database is not open yet (server/index.ts opens it at start).");
  return g.__codewerfDb;
}
