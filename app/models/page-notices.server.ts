// Page-change notices sent after the commit (migrations/0010_notices_after_commit.ts).
//
// The rows' triggers normally send a write's notices inside its transaction, and PostgreSQL then
// holds its one NOTIFY lock over that transaction's commit, WAL flush included. A hot statement
// instead puts `NOTICES_AFTER_COMMIT` in its select list, returns what it changed, and hands the
// notices to `sendNotices` once it has committed: a transaction of its own, committed without
// waiting for the disk (a notice lost to a database crash is harmless: every listener loses its
// connection too and starts afresh).
import { sql } from "kysely";
import type { DB } from "../db.server";
import { log } from "../log.server";

/** The channel of the signed-in page cache (server/page-cache.ts) and its scopes (0008). */
export const PAGE_CHANGES_CHANNEL = "codewerf_pages";

/** In a statement's select list: its rows' triggers send no page-change notices. */
export const NOTICES_AFTER_COMMIT = sql<string>`set_config('codewerf.page_notices', 'after-commit', true)`;

export interface Notice {
  channel: string;
  payload: string;
}

export const sectionScope = (codeId: string, sectionId: string) => `s:${codeId}/${sectionId}`;
export const userScope = (userId: string) => `u:${userId}`;
export const pageNotice = (scope: string): Notice => ({ channel: PAGE_CHANGES_CHANNEL, payload: scope });

/**
 * Sends notices for a change already committed. A failure is logged, not thrown: the change
 * stands, and other instances' cached pages expire (server/page-cache.ts, MAX_AGE_MS).
 */
export function sendNotices(db: DB, notices: Notice[]): Promise<void> {
  if (!notices.length) return Promise.resolve();
  const sent = sql`
    select set_config('synchronous_commit', 'off', true), pg_notify(n.channel, n.payload)
      from unnest(${notices.map((n) => n.channel)}::text[], ${notices.map((n) => n.payload)}::text[]) as n (channel, payload)`
    .execute(db)
    .then(
      () => undefined,
      (err: unknown) => log().warn({ err }, "sending change notices after a commit failed"),
    )
    .finally(() => sending.delete(sent));
  sending.add(sent);
  return sent;
}

/**
 * Notices on their way: some are sent without being awaited (comments.server.ts, `announce`).
 * On globalThis: the Remix build and the server are separate module instances of this file.
 */
const g = globalThis as unknown as { __codewerfNoticesSending?: Set<Promise<void>> };
const sending = (g.__codewerfNoticesSending ??= new Set());

/** Resolves once every notice handed to `sendNotices` so far has gone (before the pool closes). */
export async function noticesSent(): Promise<void> {
  while (sending.size) await Promise.all([...sending]);
}
