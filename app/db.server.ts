// The one Kysely instance per process: PostgreSQL through `pg` when DATABASE_URL is set,
// else embedded PGlite under DATA_DIR. Kept on globalThis so the Remix build and the custom
// server share it (two PGlites on one directory would corrupt it).
import type { ColumnType, Generated, Selectable } from "kysely";
import { Kysely, PGliteDialect, PostgresDialect } from "kysely";
import fs from "node:fs";
import path from "node:path";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | T, string | T>;

export type Role = "influencer" | "agency" | "expert" | "ministry";
export type OrganisationKind = "expert" | "ministry" | "agency";
export type TokenKind = "confirm_email" | "invite" | "password_reset";

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
}

export type DB = Kysely<Database>;
export type User = Selectable<UsersTable>;
export type Section = Selectable<SectionsTable>;
export type Organisation = Selectable<OrganisationsTable>;

export interface DbOptions {
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
}

/** Opens a new Kysely instance. Most code wants `db()`; tests and scripts open their own. */
export async function openDatabase(opts: DbOptions): Promise<DB> {
  if (opts.databaseUrl) {
    const pg = await import("pg");
    // bigint (int8) ids stay strings; timestamps become Dates (pg's default).
    const pool = new pg.default.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const dir = path.resolve(opts.dataDir ?? "./data", "pglite");
  fs.mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
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
