// Starts Codewerf: opens and migrates the database (seeding a fresh embedded one), serves
// HTTP through Express + Remix and the collaboration websockets on the same port, and shuts
// down gracefully on SIGTERM/SIGINT.
import http from "node:http";
import { config } from "../app/config.server";
import { closeListeners, openDatabase, setDb } from "../app/db.server";
import { log } from "../app/log.server";
import { migrateToLatest } from "../app/migrate.server";
import { noticesSent } from "../app/models/page-notices.server";
import { closeLimiters } from "../app/rate-limit.server";
import { DEMO_PASSWORD, demoAccounts, isEmpty, seedDemoData } from "../seeds/index";
import { createCollabServer } from "./collab/index";
import { loadRemixBuild } from "./build";
import { createHttpApp, httpServerOptions } from "./http";

const started = Date.now();
const c = config();
const logger = log();

// Importing the Remix build and opening the database overlap (each takes most of a second).
const buildLoading = loadRemixBuild({ development: process.env.NODE_ENV === "development" });
const database = await openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir });
setDb(database);
const applied = await migrateToLatest(database);
if (applied.length) logger.info({ applied }, "migrations applied");

if (c.embedded && (await isEmpty(database))) {
  await seedDemoData(database);
  logger.info("embedded database created and seeded with demo data");
  console.log(`\nDemo accounts (password: ${DEMO_PASSWORD}):`);
  for (const a of demoAccounts) console.log(`  ${a.email.padEnd(28)} ${a.role}${a.role === "influencer" && !a.inDraftingGroup ? " (reads and comments only)" : ""}`);
  console.log("");
}

const { build, ready } = await buildLoading;

const collab = createCollabServer({ redisUrl: c.redisUrl });
const app = createHttpApp({ config: c, build, health: () => collab.health() });
const server = http.createServer(httpServerOptions, app);
collab.attach(server);

server.keepAliveTimeout = 65_000;
server.listen(c.port, c.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : c.port;
  logger.info({ port, host: c.host, embedded: c.embedded, ms: Date.now() - started }, `Codewerf listens on http://${c.host}:${port}`);
  void ready();
});

let stopping = false;
/** How long shutdown waits for requests still running once their sockets are gone. */
const DRAIN_MS = 15_000;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down: no new connections, finishing requests");
  const force = setTimeout(() => {
    logger.warn("in-flight requests did not finish within 10 s; closing anyway");
    server.closeAllConnections();
  }, 10_000);
  force.unref();
  const closed = new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  // Stores and acknowledges every update, then closes the sockets with 1001 "going away".
  await collab.close();
  await closed;
  // Requests whose clients hung up may still be writing; then the notices they sent on. A
  // request that never ends (a bug) must not keep the process from stopping: bounded.
  if (app.running()) logger.info({ requests: app.running() }, "waiting for requests still running");
  const drained = await Promise.race([app.drain().then(() => true), new Promise<false>((r) => setTimeout(r, DRAIN_MS, false))]);
  if (!drained) logger.warn({ requests: app.running(), ms: DRAIN_MS }, "requests still running after the drain limit; stopping anyway");
  await noticesSent();
  await app.pageCache.close();
  await closeListeners(database);
  await closeLimiters();
  await database.destroy();
  logger.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
