// A cache of signed-in pages, one per session: a page its route declares with `privateCache()`
// (app/http.server.ts; today the section page) is kept after Remix rendered it and answered
// again, before Remix, while nothing it shows has changed. Two things decide that:
//   - the database's change notices (migrations/0008_page_changes.ts): after a commit that
//     touches a section's row, reviewers, threads, comments or reviews, a person's
//     notifications, or any person, organisation or code, PostgreSQL sends a NOTIFY to every
//     instance, which drops the pages of that scope (a reply sends its notices itself, right
//     after its commit, outside PostgreSQL's NOTIFY lock: migration 0010);
//   - at every answer from the cache, one statement checks that the session is still valid
//     (not expired, not logged out, the person not suspended) and that the document's stored
//     version is the one the page was rendered from (the collaboration server writes carry no
//     trigger).
// Nothing is kept or answered while the listening connection is not up; losing it empties the
// cache. A page is kept only if no notice for its scopes arrived while it was being rendered;
// a notice arriving later drops it. A state-changing request of a session drops that session's
// pages when it starts and when it ends, so the page after a form post is always fresh on the
// instance that took the post; another instance sees the change when the notice arrives.
import { sendRemixResponse } from "@remix-run/express/dist/server.js";
import type { Request, Response } from "express";
import { sql } from "kysely";
import { db as currentDb, listenerFor, type DB, type Listening } from "../app/db.server";
import { localeFromCookies, parsePrivateCache, PRIVATE_CACHE_HEADER, type PrivateCacheDirective } from "../app/http.server";
import { log } from "../app/log.server";
import { PAGE_CHANGES_CHANNEL } from "../app/models/page-notices.server";
import { docVersionSql } from "../app/models/sections.server";
import { sessionIdFromCookieHeader } from "../app/session.server";
import { hasSessionCookie, keptHeaders, sendKept, splitAtNonce } from "./kept-response";

export { PAGE_CHANGES_CHANNEL };
/** Kept at most this long even when nothing changes (bounds memory held for sessions gone quiet). */
const MAX_AGE_MS = 10 * 60 * 1000;
const MAX_ENTRY_BYTES = 2 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
const MAX_ENTRIES = 2000;
/** Changes remembered at once; every signed-in post marks its session, so this bounds them. */
export const MAX_MARKS = 10_000;
const RECONNECT_MS = [250, 1000, 5000, 15_000];

interface Entry {
  sessionId: string;
  directive: PrivateCacheDirective;
  headers: [string, string][];
  /** The body, split where the rendering request's nonce stood. */
  parts: Buffer[];
  bytes: number;
  scopes: string[];
  expires: number;
}

/** What a request that may fill the cache noted before Remix ran. */
interface Ticket {
  key: string;
  sessionId: string;
  tick: number;
}

export interface PageCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  /** Answers from the cache refused by the check (session or document changed). */
  refused: number;
  notices: number;
  listening: boolean;
  /** Changes remembered for renders in progress (at most MAX_MARKS + 1). */
  marks: number;
}

/**
 * A document request without a query, or Remix's data request for one route's loader (a client
 * navigation: `?_data=<routeId>` and nothing else). Anything else with a query goes to Remix.
 */
function isCandidate(req: Request): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const query = req.originalUrl.indexOf("?");
  if (query !== -1 && !/^_data=[^&]+$/.test(req.originalUrl.slice(query + 1))) return false;
  return hasSessionCookie(req.headers.cookie);
}

export function createPageCache(options: { db?: () => DB } = {}) {
  const database = options.db ?? currentDb;
  const entries = new Map<string, Entry>();
  const byScope = new Map<string, Set<string>>();
  const bySession = new Map<string, Set<string>>();
  /** Counts notices, losses and session writes: the moment a render started, in this clock. */
  let tick = 0;
  /** When each scope (and "*", and each session) last changed, in ticks. */
  const changedAt = new Map<string, number>();
  let listeningSince: number | null = null;
  let listening: Listening | null = null;
  let closed = false;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let totalBytes = 0;
  const counters = { hits: 0, misses: 0, refused: 0, notices: 0 };

  const index = (map: Map<string, Set<string>>, name: string, key: string) => {
    let set = map.get(name);
    if (!set) map.set(name, (set = new Set()));
    set.add(key);
  };
  const unindex = (map: Map<string, Set<string>>, name: string, key: string) => {
    const set = map.get(name);
    if (!set) return;
    set.delete(key);
    if (!set.size) map.delete(name);
  };
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    totalBytes -= entry.bytes;
    for (const scope of entry.scopes) unindex(byScope, scope, key);
    unindex(bySession, entry.sessionId, key);
  };
  const clear = () => {
    entries.clear();
    byScope.clear();
    bySession.clear();
    totalBytes = 0;
  };

  /** Notes that `scope` changed now (a scope, or "session:" and a session's id). */
  const mark = (scope: string) => {
    tick++;
    changedAt.set(scope, tick);
    if (changedAt.size > MAX_MARKS) {
      // Forget old marks; a render older than this counts as overtaken by everything.
      changedAt.clear();
      changedAt.set("*", tick);
    }
  };
  const changed = (scope: string) => {
    mark(scope);
    if (scope === "*") return clear();
    for (const key of [...(byScope.get(scope) ?? [])]) remove(key);
  };
  const changedSession = (sessionId: string) => {
    mark(`session:${sessionId}`);
    for (const key of [...(bySession.get(sessionId) ?? [])]) remove(key);
  };

  const lost = (error: Error) => {
    if (listeningSince === null && !listening) return;
    log().warn({ err: error.message }, "page cache: lost the change notices; emptied and paused");
    listening = null;
    listeningSince = null;
    changed("*");
    scheduleListen();
  };
  const scheduleListen = () => {
    if (closed || reconnectTimer) return;
    const delay = RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)];
    attempt++;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void startListening();
    }, delay);
    reconnectTimer.unref();
  };
  async function startListening(): Promise<void> {
    const listen = listenerFor(database());
    if (!listen || closed) return;
    try {
      const handle = await listen(PAGE_CHANGES_CHANNEL, {
        message(payload) {
          counters.notices++;
          changed(payload || "*");
        },
        lost,
      });
      if (closed) return void handle.close();
      listening = handle;
      attempt = 0;
      // Whatever was rendered before this moment may have missed a notice.
      changed("*");
      listeningSince = tick;
    } catch (err) {
      log().warn({ err: (err as Error).message }, "page cache: could not listen for change notices; retrying");
      scheduleListen();
    }
  }
  const ready = startListening();

  const overtaken = (scopes: string[], since: number) => scopes.some((scope) => (changedAt.get(scope) ?? 0) > since) || (changedAt.get("*") ?? 0) > since;

  function keyOf(req: Request, sessionId: string): string {
    return `${sessionId} ${localeFromCookies(req.headers.cookie) ?? "-"} ${req.originalUrl}`;
  }

  async function stillValid(entry: Entry): Promise<boolean> {
    const { rows } = await sql<{ user_id: string | null; v: string }>`
      select (select s.user_id from sessions s join users u on u.id = s.user_id
               where s.id = ${entry.sessionId} and s.expires_at > now() and u.suspended_at is null) as user_id,
             ${docVersionSql(entry.directive.doc)} as v`.execute(database());
    return rows[0]?.user_id === entry.directive.userId && rows[0]?.v === entry.directive.docVersion;
  }

  const send = (req: Request, res: Response, entry: Entry) => sendKept(req, res, entry.headers, entry.parts, res.locals.cspNonce as string);

  return {
    /** Resolves once the first attempt to listen has settled (tests wait for it). */
    ready,

    /**
     * Before Remix: answers from the cache when it can (true), else notes what a render may
     * keep. A state-changing request drops its session's pages now and again when it ends.
     */
    async serve(req: Request, res: Response): Promise<boolean> {
      if (req.method !== "GET" && req.method !== "HEAD") {
        if (!hasSessionCookie(req.headers.cookie)) return false;
        const sessionId = await sessionIdFromCookieHeader(req.headers.cookie);
        if (sessionId) {
          changedSession(sessionId);
          res.once("close", () => changedSession(sessionId));
        }
        return false;
      }
      if (listeningSince === null || !isCandidate(req)) return false;
      const sessionId = await sessionIdFromCookieHeader(req.headers.cookie);
      if (!sessionId) return false;
      const key = keyOf(req, sessionId);
      res.locals.pageCacheTicket = { key, sessionId, tick } satisfies Ticket;
      const entry = entries.get(key);
      if (!entry) return false;
      if (entry.expires <= Date.now()) {
        remove(key);
        return false;
      }
      const checkedAt = tick;
      if (!(await stillValid(entry))) {
        counters.refused++;
        remove(key);
        return false;
      }
      // A notice may have dropped the entry while the check ran.
      if (entries.get(key) !== entry || overtaken([...entry.scopes, `session:${sessionId}`], checkedAt)) return false;
      counters.hits++;
      send(req, res, entry);
      return true;
    },

    /**
     * Sends Remix's response, first keeping it when the route declared it private-cacheable,
     * the request may fill the cache, and nothing it shows changed while it was rendered.
     */
    async keep(req: Request, res: Response, response: globalThis.Response): Promise<void> {
      const directive = parsePrivateCache(response.headers.get(PRIVATE_CACHE_HEADER));
      response.headers.delete(PRIVATE_CACHE_HEADER);
      const ticket = res.locals.pageCacheTicket as Ticket | undefined;
      const declaredLength = Number(response.headers.get("Content-Length") ?? 0);
      if (!directive || !ticket || req.method !== "GET" || response.status !== 200 || response.headers.has("Set-Cookie") || !response.body || declaredLength > MAX_ENTRY_BYTES) {
        return sendRemixResponse(res, response);
      }
      counters.misses++;
      const body = Buffer.from(await response.arrayBuffer());
      const scopes = [...new Set([...directive.scopes, `u:${directive.userId}`])];
      const fresh = listeningSince !== null && listeningSince <= ticket.tick && !overtaken([...scopes, `session:${ticket.sessionId}`], ticket.tick);
      const headers = keptHeaders(response, PRIVATE_CACHE_HEADER);
      const entry: Entry = {
        sessionId: ticket.sessionId,
        directive,
        headers,
        parts: splitAtNonce(body, res.locals.cspNonce as string),
        bytes: body.length,
        scopes,
        expires: Date.now() + MAX_AGE_MS,
      };
      if (fresh && body.length <= MAX_ENTRY_BYTES) {
        remove(ticket.key);
        while (entries.size && (entries.size >= MAX_ENTRIES || totalBytes + entry.bytes > MAX_TOTAL_BYTES)) remove(entries.keys().next().value!);
        entries.set(ticket.key, entry);
        totalBytes += entry.bytes;
        for (const scope of scopes) index(byScope, scope, ticket.key);
        index(bySession, ticket.sessionId, ticket.key);
      }
      const timing = response.headers.get("Server-Timing");
      if (timing) res.setHeader("Server-Timing", timing);
      send(req, res, entry);
    },

    stats(): PageCacheStats {
      return { entries: entries.size, bytes: totalBytes, ...counters, listening: listeningSince !== null, marks: changedAt.size };
    },

    async close(): Promise<void> {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await ready;
      const handle = listening;
      listening = null;
      listeningSince = null;
      clear();
      await handle?.close();
    },
  };
}

export type PageCache = ReturnType<typeof createPageCache>;
