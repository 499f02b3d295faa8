// Runs the real app (Express + the Remix build) inside the test process on a free port,
// over a private copy of the seeded database, so tests can both request pages and query rows.
import type { ServerBuild } from "@remix-run/node";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig, setConfig } from "../../app/config.server";
import { closeListeners, setDb, type DB } from "../../app/db.server";
import { closeLimiters } from "../../app/rate-limit.server";
import { createCollabServer, type CollabServer, type CollabServerOptions } from "../../server/collab/index";
import { createHttpApp, httpServerOptions } from "../../server/http";
import type { DirectActionStats } from "../../server/direct-actions";
import type { PageCache } from "../../server/page-cache";
import type { ResponseCache } from "../../server/response-cache";
import { testDatabase } from "./db";

export interface TestApp {
  url: string;
  db: DB;
  server: http.Server;
  /** Present when started with `{ collab: … }`. */
  collab?: CollabServer;
  /** The server's cache of responses shared by anonymous visitors. */
  responseCache: ResponseCache;
  /** The server's cache of signed-in pages (listening for change notices once started). */
  pageCache: PageCache;
  /** How many form posts the server answered before Remix, and how many it passed on. */
  directActions: DirectActionStats;
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}, opts: { collab?: CollabServerOptions } = {}): Promise<TestApp> {
  const { db, databaseUrl, dataDir } = await testDatabase();
  const server = http.createServer(httpServerOptions);
  // As in production (server/index.ts): clients close idle keep-alive sockets first, so a
  // request never lands on a socket the server is closing at that moment.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: "silent",
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_ORIGIN: url,
    DATA_DIR: dataDir,
    // Test clients each send their own X-Forwarded-For, so per-IP limits apply per client.
    TRUST_PROXY: "1",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  if (!databaseUrl) delete (config as { databaseUrl?: string }).databaseUrl;
  setConfig(config);
  setDb(db);
  await closeLimiters();
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  const collab = opts.collab ? createCollabServer({ db: () => db, ...opts.collab }).attach(server) : undefined;
  const httpApp = createHttpApp({ config, build, health: collab && (() => collab.health()) });
  server.on("request", httpApp);
  await httpApp.pageCache.ready;
  return {
    url,
    db,
    server,
    collab,
    responseCache: httpApp.responseCache,
    pageCache: httpApp.pageCache,
    directActions: httpApp.directActions.stats,
    async close() {
      httpApp.responseCache.close();
      await httpApp.pageCache.close();
      await collab?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeLimiters();
      await closeListeners(db);
      await db.destroy();
    },
  };
}
