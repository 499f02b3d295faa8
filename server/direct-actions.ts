// The busiest form posts answered before the Remix runtime: a signed-in, urlencoded POST to one
// of the routes in app/form-actions.server.ts whose form validates and whose action succeeds is
// answered here, with what Remix would have sent (a redirect, or for a resource route's fetcher
// the JSON; for a client-side submission Remix's data-request form of both). Everything else
// (no or an expired session, an invalid form, a refused or conflicting action, an unexpected
// query or content type) goes on to Remix, with the body already read handed over, and an
// action's failure handed over too so the route answers it without running the action again.
// Measured: Remix's own request handling costs ~1 ms of CPU per post here, more than the whole
// direct path (bench/README.md, "Form posts before Remix").
import { matchPath } from "@remix-run/react";
import type { Request, Response } from "express";
import type { DirectActions as FormActions, FormAction, FormActionResult } from "../app/form-actions.server";
import { formFields, MAX_FORM_BYTES } from "../app/http.server";
import { hasSessionCookie } from "./kept-response";

async function readBody(req: Request, length: number): Promise<string> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    chunks.push(chunk);
  }
  if (received !== length) throw new Error(`request body of ${received} bytes, ${length} announced`);
  return (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString("utf8");
}

export interface DirectActionStats {
  /** Posts answered here. */
  answered: number;
  /** Posts read here whose form or action failed, then answered by Remix. */
  passedOn: number;
}

export type DirectActions = ReturnType<typeof createDirectActions>;

export function createDirectActions(resolve: () => Promise<FormActions | undefined>) {
  const stats: DirectActionStats = { answered: 0, passedOn: 0 };

  const send = (res: Response, result: FormActionResult, dataRequest: boolean) => {
    if ("redirect" in result) {
      const status = result.status ?? 302;
      // Remix answers a data request's redirect with 204 and where to go in its own headers.
      // Header names in lower case, as Remix's (from a Fetch Headers object) are sent.
      if (dataRequest) res.writeHead(204, { "x-remix-redirect": result.redirect, "x-remix-status": String(status) });
      else res.writeHead(status, { location: result.redirect, "content-length": 0 });
      res.end();
      return;
    }
    const text = JSON.stringify(result.json);
    res.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(text),
      ...(dataRequest ? { "x-remix-response": "yes" } : {}),
    });
    res.end(text);
  };

  return {
    stats,

    /**
     * Answers the post (true) or leaves it to Remix (false), with `res.locals.formBody` set when
     * the body was read here and `res.locals.directFailure` when the action itself failed.
     */
    async serve(req: Request, res: Response): Promise<boolean> {
      if (req.method !== "POST" || !hasSessionCookie(req.headers.cookie)) return false;
      if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return false;
      const length = Number(req.headers["content-length"]);
      if (!Number.isInteger(length) || length > MAX_FORM_BYTES) return false;
      const from = await resolve();
      if (!from) return false;

      const q = req.url.indexOf("?");
      // Remix's own matching (case-insensitive, params decoded as Remix decodes them).
      const pathname = q === -1 ? req.url : req.url.slice(0, q);
      let found: { action: FormAction; params: Record<string, string> } | null = null;
      for (const action of from.actions) {
        const m = matchPath(action.path, pathname);
        if (m) {
          found = { action, params: m.params as Record<string, string> };
          break;
        }
      }
      if (!found) return false;
      const { action } = found;
      // Only the queries Remix's own forms and fetchers send; anything else is Remix's to judge.
      const query = new URLSearchParams(q === -1 ? "" : req.url.slice(q + 1));
      for (const key of query.keys()) if (key !== "_data" && key !== "fetch") return false;
      const data = query.get("_data");
      if (data !== null && data !== action.routeId) return false;

      const user = await from.userFromCookieHeader(req.headers.cookie);
      if (!user) return false;
      let body: string;
      try {
        body = await readBody(req, length);
      } catch {
        // The client went away before sending all of it: nobody to answer.
        res.destroy();
        return true;
      }
      res.locals.formBody = body;
      const parsed = action.schema.safeParse(formFields(new URLSearchParams(body)));
      if (!parsed.success) {
        stats.passedOn++;
        return false;
      }
      const fromFetcher = from.fromFetcher(query, req.headers.accept);
      let result: FormActionResult;
      try {
        result = await action.run({ user, params: found.params, fromFetcher }, parsed.data);
      } catch (e) {
        const failure = from.toDirectFailure(e);
        if (!failure) throw e;
        res.locals.directFailure = failure;
        stats.passedOn++;
        return false;
      }
      // A page route answers JSON only to fetchers, which always ask through a data request.
      if ("json" in result && data === null && !action.resource) throw new Error(`${action.routeId} answered JSON to a document request`);
      stats.answered++;
      send(res, result, data !== null);
      return true;
    },
  };
}
