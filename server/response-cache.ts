// An in-process cache of whole responses for anonymous GET and HEAD requests, for the resources
// whose routes declare them the same for every anonymous visitor (`sharedCache()` in
// app/http.server.ts): published releases and their exports and JSON, the feed, the live badge.
// A hit is answered here, before Remix, from bytes encoded once; an HTML page gets this
// response's CSP nonce put back in. Entries expire after the route's max-age and are dropped
// sooner by the domain events that change them (a publish, a pledge confirmed or withdrawn).
// With several instances, another instance's change reaches this one's entries by their expiry.
// The adapter's own conversion (exported by its module, though not re-exported by its index).
import { sendRemixResponse } from "@remix-run/express/dist/server.js";
import type { Request, Response } from "express";
import { on } from "../app/events.server";
import { localeFromCookies, parseSharedCache, SHARED_CACHE_HEADER } from "../app/http.server";
import { hasSessionCookie, keptHeaders, sendKept, splitAtNonce } from "./kept-response";

/** Bodies larger than this are not kept (a release export of a long code is well below). */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
const MAX_ENTRIES = 2000;
/** Kept in a 304 (RFC 9110 §15.4.5), besides the ETag. */
const KEPT_IN_304 = new Set(["cache-control", "vary", "expires", "content-location", "access-control-allow-origin", "access-control-expose-headers"]);

/** A kept 200 answer. */
interface Entry {
  headers: [string, string][];
  /** The body, split where the nonce of the request that rendered it stood (one part without). */
  parts: Buffer[];
  bytes: number;
  etag: string | null;
  tags: string[];
  expires: number;
}

export interface ResponseCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
}


function cacheKey(req: Request): string | null {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  const cookies = req.headers.cookie;
  // Signed-in visitors (or anyone sending a session cookie, valid or not) always get Remix.
  if (hasSessionCookie(cookies)) return null;
  return `${localeFromCookies(cookies) ?? "-"} ${req.originalUrl}`;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === "*" || header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

export function createResponseCache() {
  const entries = new Map<string, Entry>();
  let totalBytes = 0;
  let hits = 0;
  let misses = 0;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    totalBytes -= entry.bytes;
  };
  const dropTag = (tag: string) => {
    for (const [key, entry] of entries) if (entry.tags.includes(tag)) remove(key);
  };
  const unsubscribe = [
    on("release.published", (e) => {
      dropTag(`releases:${e.codeId}`);
      // A new major release makes earlier pledges "outdated" on their badges.
      dropTag("pledges");
    }),
    on("pledge.changed", (e) => dropTag(e.pledgeId ? `pledge:${e.pledgeId}` : "pledges")),
  ];

  function send(req: Request, res: Response, entry: Entry, nonce: string): void {
    if (entry.etag && etagMatches(req.headers["if-none-match"], entry.etag)) {
      res.statusCode = 304;
      res.setHeader("ETag", entry.etag);
      for (const [name, value] of entry.headers) if (KEPT_IN_304.has(name)) res.setHeader(name, value);
      res.end();
      return;
    }
    sendKept(req, res, entry.headers, entry.parts, nonce);
  }

  return {
    /** Answers the request from the cache; false when it must go to Remix. */
    serve(req: Request, res: Response): boolean {
      const key = cacheKey(req);
      if (!key) return false;
      const entry = entries.get(key);
      if (!entry) return false;
      if (entry.expires <= Date.now()) {
        remove(key);
        return false;
      }
      hits++;
      send(req, res, entry, res.locals.cspNonce as string);
      return true;
    },

    /**
     * Sends Remix's response, first keeping it when the route declared it shared, the visitor
     * is anonymous and the answer is a plain 200 without cookies. The internal header never
     * leaves the server.
     */
    async sendFromRemix(req: Request, res: Response, response: globalThis.Response): Promise<void> {
      const directive = parseSharedCache(response.headers.get(SHARED_CACHE_HEADER));
      response.headers.delete(SHARED_CACHE_HEADER);
      const key = req.method === "GET" ? cacheKey(req) : null;
      const declaredLength = Number(response.headers.get("Content-Length") ?? 0);
      if (!directive || !key || response.status !== 200 || response.headers.has("Set-Cookie") || !response.body || declaredLength > MAX_ENTRY_BYTES) {
        return sendRemixResponse(res, response);
      }
      misses++;
      const body = Buffer.from(await response.arrayBuffer());
      const nonce = res.locals.cspNonce as string;
      const isHtml = /^text\/html/i.test(response.headers.get("Content-Type") ?? "");
      const headers = keptHeaders(response, SHARED_CACHE_HEADER);
      const entry: Entry = {
        headers,
        parts: isHtml ? splitAtNonce(body, nonce) : [body],
        bytes: body.length,
        etag: response.headers.get("ETag"),
        tags: directive.tags,
        expires: Date.now() + directive.seconds * 1000,
      };
      if (body.length <= MAX_ENTRY_BYTES && directive.seconds > 0) {
        remove(key);
        while (entries.size && (entries.size >= MAX_ENTRIES || totalBytes + entry.bytes > MAX_TOTAL_BYTES)) remove(entries.keys().next().value!);
        entries.set(key, entry);
        totalBytes += entry.bytes;
      }
      // The request that rendered the entry is answered by the same code as the hits after it,
      // with its own timing (which a replay would misstate).
      const timing = response.headers.get("Server-Timing");
      if (timing) res.setHeader("Server-Timing", timing);
      send(req, res, entry, nonce);
    },

    stats(): ResponseCacheStats {
      return { entries: entries.size, bytes: totalBytes, hits, misses };
    },

    close(): void {
      for (const off of unsubscribe) off();
      entries.clear();
      totalBytes = 0;
    },
  };
}

export type ResponseCache = ReturnType<typeof createResponseCache>;
