// Several instances: two servers on one database share live documents through a private Redis;
// while Redis is down each keeps serving its own clients, and once it is back everyone converges.
import type { ChildProcess } from "node:child_process";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCollabServer, type CollabServer } from "../../server/collab/index";
import { startTestApp, type TestApp } from "../support/app";
import { connectClient, insertText, waitFor, type TestClient } from "../support/collab";
import { testDatabaseEnv, usingPostgres } from "../support/db";
import { Client } from "../support/http";
import { startRedisServer, stopRedisServer } from "../support/redis";
import { freePort, startServerProcess, type ServerProcess } from "../support/server-process";

const SECTION = "reclame";
let redisPort: number;
let redis: ChildProcess | null = null;

async function startRedis(): Promise<void> {
  redis = await startRedisServer(redisPort);
}

async function stopRedis(): Promise<void> {
  const child = redis!;
  redis = null;
  await stopRedisServer(child);
}

/** Two instances on one database: child processes on PostgreSQL, in-process on PGlite (one opener). */
interface Instances {
  urls: [string, string];
  origin: string;
  cookie: string;
  close(): Promise<void>;
}

async function startInstances(redisUrl: string): Promise<Instances> {
  if (usingPostgres()) {
    const env = await testDatabaseEnv();
    const portA = await freePort();
    const origin = `http://127.0.0.1:${portA}`;
    const servers: ServerProcess[] = [];
    servers.push(await startServerProcess({ ...env, REDIS_URL: redisUrl, PUBLIC_ORIGIN: origin }, { port: portA }));
    servers.push(await startServerProcess({ ...env, REDIS_URL: redisUrl, PUBLIC_ORIGIN: origin }));
    const c = new Client(servers[0].url);
    await c.login("creator1@codewerf.test");
    return { urls: [servers[0].url, servers[1].url], origin, cookie: c.cookie, close: async () => void (await Promise.all(servers.map((s) => s.kill()))) };
  }
  const app: TestApp = await startTestApp({}, { collab: { redisUrl } });
  const second = http.createServer();
  await new Promise<void>((r) => second.listen(0, "127.0.0.1", r));
  const collab: CollabServer = createCollabServer({ db: () => app.db, redisUrl }).attach(second);
  const c = new Client(app.url);
  await c.login("creator1@codewerf.test");
  const port = (second.address() as { port: number }).port;
  return {
    urls: [app.url, `http://127.0.0.1:${port}`],
    origin: app.url,
    cookie: c.cookie,
    close: async () => {
      await collab.close();
      second.closeAllConnections();
      await new Promise((r) => second.close(r));
      await app.close();
    },
  };
}

let instances: Instances;

beforeAll(async () => {
  redisPort = await freePort();
  await startRedis();
  instances = await startInstances(`redis://127.0.0.1:${redisPort}`);
});
afterAll(async () => {
  await instances?.close();
  if (redis) await stopRedis();
});

describe("several instances", () => {
  it("clients on two instances converge, also across a Redis outage", async () => {
    const on = (i: 0 | 1) => connectClient(instances.urls[i], SECTION, { cookie: instances.cookie, origin: instances.origin });
    const a: TestClient = on(0);
    const b: TestClient = on(1);
    await waitFor(() => a.provider.synced && b.provider.synced, "both synced");
    expect(a.text()).toBe(b.text());

    insertText(a.doc, 0, "[via A] ");
    insertText(b.doc, 0, "[via B] ");
    await waitFor(() => a.text() === b.text() && a.text().includes("[via A]") && a.text().includes("[via B]"), "live convergence through Redis");

    await stopRedis();
    insertText(a.doc, 0, "[A zonder redis] ");
    insertText(b.doc, 0, "[B zonder redis] ");
    await waitFor(() => a.state.saved === a.sent() && b.state.saved === b.sent(), "both sides keep storing");
    // Each side still serves its own clients.
    const a2 = on(0);
    await waitFor(() => a2.provider.synced && a2.text().includes("[A zonder redis]"), "same-instance client sees A's edit");

    await startRedis();
    await waitFor(
      () => [a, b, a2].every((c) => c.text().includes("[A zonder redis]") && c.text().includes("[B zonder redis]")) && a.text() === b.text() && a2.text() === b.text(),
      "convergence after Redis is back",
      20_000,
    );
    insertText(b.doc, 0, "[na herstel] ");
    await waitFor(() => a.text().includes("[na herstel]") && a.text() === b.text(), "live again");
    [a, b, a2].forEach((c) => c.destroy());
  });
});
