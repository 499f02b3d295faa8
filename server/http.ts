// Express in front of Remix: security headers with a per-request CSP nonce, the Origin check
// for state-changing requests, request size limits, static assets, /healthz, and the cache of
// responses that are the same for every anonymous visitor (server/response-cache.ts), and the
// cache of signed-in pages per session (server/page-cache.ts), and the busiest form posts
// answered before Remix (server/direct-actions.ts).
// The adapter's own header conversion (exported by its module, though not re-exported by its index).
import { createRemixHeaders } from "@remix-run/express/dist/server.js";
import { createReadableStreamFromReadable, createRequestHandler, type ServerBuild } from "@remix-run/node";
import express, { type NextFunction, type Request, type Response } from "express";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { sql } from "kysely";
import type { Config } from "../app/config.server";
import { PRIVATE_CACHE_HEADER } from "../app/http.server";
import { db, type DB } from "../app/db.server";
import { eventStreamStats } from "../app/event-stream.server";
import { log } from "../app/log.server";
import { isAllowedOrigin } from "../app/session.server";
import type { DirectActions as FormActions } from "../app/form-actions.server";
import { createDirectActions, type DirectActions } from "./direct-actions";
import { createPageCache, type PageCache } from "./page-cache";
import { createResponseCache, type ResponseCache } from "./response-cache";

export const MAX_BODY_BYTES = 1024 * 1024;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface HttpOptions {
  config: Config;
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** Extra fields for /healthz (the collaboration server's counters). */
  health?: () => Record<string, unknown>;
}

/**
 * Express 4 adds its methods to every request and response by swapping the object's prototype
 * (`Object.setPrototypeOf` in its init middleware, to app.request and app.response). V8 pays
 * dearly for that: measured here, it cut a bare Express app from ~65,000 to ~20,000 req/s and
 * sent ~4 KB per request into the old space, which is what made the Mark-Compact pauses behind
 * the HTTP benchmarks' p99 (docs/decisions.md, "Express without the prototype swap"). These
 * classes carry Express's methods from the start: a server made with `httpServerOptions`
 * creates its requests and responses from them, the app's own prototypes are these, and
 * Express's swap then sets the prototype an object already has, which V8 skips.
 */
class ExpressRequest extends http.IncomingMessage {}
class ExpressResponse extends http.ServerResponse<ExpressRequest> {}
for (const [target, methods] of [
  [ExpressRequest.prototype, express.request],
  [ExpressResponse.prototype, express.response],
] as const) {
  Object.defineProperties(target, Object.getOwnPropertyDescriptors(methods));
}

/** Options for `http.createServer` whose requests and responses Express need not convert. */
export const httpServerOptions: http.ServerOptions<typeof ExpressRequest, typeof ExpressResponse> = {
  IncomingMessage: ExpressRequest,
  ServerResponse: ExpressResponse,
};

/**
 * The Fetch Request Remix gets, as @remix-run/express's createRemixRequest makes it (same URL,
 * headers and body; `request.signal` aborts when the client leaves before the answer is sent),
 * except that the signal is not handed to the Request constructor. Node 20's Request links a
 * given signal through a FinalizationRegistry, which holds the signal, and all that listens to
 * it, until a full GC: measured here, 4.1 KB per request moved into the old space and half the
 * throughput of building the request (docs/decisions.md, "Remix's request without the
 * FinalizationRegistry"). `body`: the form the direct path read already.
 */
export function remixRequest(req: Request, res: Response, body?: string): globalThis.Request {
  // req.hostname respects "trust proxy" but drops the port: take that from X-Forwarded-Host or Host.
  const portOf = (host: string | undefined) => Number.parseInt(host?.split(":")[1] ?? "", 10);
  const forwardedPort = portOf(req.get("X-Forwarded-Host"));
  const hostPort = portOf(req.get("host"));
  const port = Number.isSafeInteger(forwardedPort) ? forwardedPort : Number.isSafeInteger(hostPort) ? hostPort : "";
  const url = new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`);
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers: createRemixHeaders(req.headers) };
  if (req.method !== "GET" && req.method !== "HEAD") {
    if (body !== undefined) init.body = body;
    else {
      init.body = createReadableStreamFromReadable(req);
      init.duplex = "half";
    }
  }
  const request = new globalThis.Request(url.href, init);
  const controller = new AbortController();
  Object.defineProperty(request, "signal", { value: controller.signal });
  // Closed before the answer was all written: the client can no longer get one.
  res.once("close", () => res.writableFinished || controller.abort());
  return request;
}

function securityHeaders(config: Config) {
  const wsOrigin = config.publicOrigin.replace(/^http/, "ws");
  return (_req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader(
      "Content-Security-Policy",
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'`,
        // Collaboration carets and the editor set style attributes.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        // In development `remix dev` live-reloads over its own websocket port.
        `connect-src 'self' ${wsOrigin}${config.production ? "" : " ws://localhost:*"}`,
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join("; "),
    );
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    if (config.publicOrigin.startsWith("https:")) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  };
}

function plainError(res: Response, status: number, message: string) {
  res.status(status).type("text/plain; charset=utf-8").send(message);
}

/** Forms and fetches that change state must come from our own origin. */
function originCheck(req: Request, res: Response, next: NextFunction) {
  if (SAFE_METHODS.has(req.method)) return next();
  const origin = req.get("origin");
  // Remix refuses (with a 500) an action whose Origin host is not the request's host
  // (X-Forwarded-Host first, else Host): asked at another address than the public one, say
  // http://127.0.0.1:3000 with the Origin http://localhost:3000. Refused here with a 403 instead.
  const host = req.get("x-forwarded-host")?.split(",")[0]?.trim() || req.get("host");
  if (isAllowedOrigin(origin, req.get("referer")) && (!origin || hostOf(origin) === host)) return next();
  log().warn({ method: req.method, path: req.path, origin: origin ?? null, host: host ?? null }, "refused cross-origin request");
  plainError(res, 403, "Dit verzoek komt niet van Codewerf zelf en werd daarom geweigerd. (This request did not come from Codewerf and was refused.)");
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

function bodyLimit(req: Request, res: Response, next: NextFunction) {
  const length = Number(req.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) return plainError(res, 413, "Dit verzoek is te groot (maximaal 1 MB). (This request is too large: 1 MB at most.)");
  next();
}

/**
 * `select 1` on the current database, shared by the health checks that arrive while one is
 * already on its way (under load that is most of them), so /healthz costs the database one
 * round trip at a time instead of one per request.
 */
let ping: { database: DB; done: Promise<unknown> } | null = null;
function pingDatabase(): Promise<unknown> {
  const database = db();
  if (ping?.database === database) return ping.done;
  const done = sql`select 1`.execute(database).finally(() => {
    if (ping?.done === done) ping = null;
  });
  ping = { database, done };
  return done;
}

export function createHttpApp(options: HttpOptions): express.Express & { responseCache: ResponseCache; pageCache: PageCache; directActions: DirectActions; running: () => number; drain: () => Promise<void> } {
  const { config } = options;
  const app = express();
  // Express's methods find their app through `this.app`, which app.request and app.response
  // normally hold; with the shared prototypes above, each request and response gets it here.
  app.request = ExpressRequest.prototype as unknown as express.Request;
  app.response = ExpressResponse.prototype as unknown as express.Response;
  app.use((req, res, next) => {
    req.app = app;
    res.app = app;
    next();
  });
  // Handlers still running: a client that hangs up does not stop its request's work, so
  // shutting down waits for these (not only for the sockets) before the database closes.
  const running = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    const done = () => void running.delete(work);
    work.then(done, done);
    return work;
  };
  const drain = async () => {
    while (running.size) await Promise.allSettled([...running]);
  };
  const responseCache = createResponseCache();
  const pageCache = createPageCache();
  // Signing a pledge and posting a comment, when all goes well (server/direct-actions.ts).
  const currentBuild = typeof options.build === "function" ? options.build : async () => options.build as ServerBuild;
  const directActions = createDirectActions(async () => ((await currentBuild()).entry.module as { directActions?: FormActions }).directActions);
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);

  app.get("/healthz", async (_req, res) => {
    // Written directly rather than through res.json (no ETag hashing or header parsing):
    // load balancers ask often.
    const answer = (status: number, body: Record<string, unknown>) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-store" });
      res.end(text);
    };
    try {
      await pingDatabase();
      const kept = pageCache.stats();
      answer(200, { ok: true, pageCache: { listening: kept.listening, entries: kept.entries }, directActions: directActions.stats, eventStreams: eventStreamStats(), ...(options.health?.() ?? {}) });
    } catch (err) {
      log().error({ err }, "health check failed");
      answer(503, { ok: false });
    }
  });

  app.use(securityHeaders(config));
  // Only Remix's own answers are kept, so a hit never hides a file; checked before the file system.
  app.use((req, res, next) => {
    if (!responseCache.serve(req, res)) next();
  });
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y", index: false }));
  // Files in public/ all have an extension that starts with a letter; page paths (a release
  // "1.0" included) skip the file system lookup.
  const publicFiles = express.static("public", { maxAge: "1h", index: false });
  app.use((req, res, next) => (/\.[A-Za-z][A-Za-z0-9]*$/.test(req.path) ? publicFiles(req, res, next) : next()));
  app.use(originCheck);
  app.use(bodyLimit);
  app.use((req, res, next) => {
    track(pageCache.serve(req, res)).then((answered) => answered || next(), next);
  });

  app.use((req, res, next) => {
    track(directActions.serve(req, res)).then((answered) => answered || next(), next);
  });

  const handleRequest = createRequestHandler(options.build, config.production ? "production" : "development");
  app.all("*", (req, res, next) => void track(remix(req, res, next)));
  const remix = async (req: express.Request, res: express.Response, next: express.NextFunction) => {
    // Gone while the page cache or the direct path awaited (a cached page's check, a session
    // lookup): the adapter's abort signal listens for a "close" that has already been, so Remix
    // would render for nobody, unaware.
    if (res.destroyed) return;
    try {
      // The direct path may have read the body already: Remix gets it from there.
      const request = remixRequest(req, res, typeof res.locals.formBody === "string" ? res.locals.formBody : undefined);
      const response = await handleRequest(request, {
        cspNonce: res.locals.cspNonce as string,
        clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
        directFailure: res.locals.directFailure,
      });
      if (response.headers.has(PRIVATE_CACHE_HEADER)) await pageCache.keep(req, res, response);
      else await responseCache.sendFromRemix(req, res, response);
    } catch (error) {
      next(error);
    }
  };
  return Object.assign(app, { responseCache, pageCache, directActions, running: () => running.size, drain });
}
