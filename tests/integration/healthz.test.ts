// /healthz answers ok only while the database answers; pages render for people and crawlers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, setDb } from "../../app/db.server";
import { startTestApp, type TestApp } from "../support/app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

describe("server rendering", () => {
  it("answers browsers and crawlers alike (crawlers get the fully rendered page)", async () => {
    for (const agent of ["Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"]) {
      const res = await fetch(`${app.url}/`, { headers: { "User-Agent": agent } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("Samen schrijven aan de influencercode");
    }
  });
});

describe("/healthz", () => {
  it("answers ok while the database answers", async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it("answers 503 when the database does not answer", async () => {
    const unreachable = await openDatabase({ databaseUrl: "postgres://root@127.0.0.1:1/none" });
    setDb(unreachable);
    try {
      const res = await fetch(`${app.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ok: false });
    } finally {
      setDb(app.db);
      await unreachable.destroy();
    }
  });
});
