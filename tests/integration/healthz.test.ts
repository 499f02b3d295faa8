// /healthz answers ok only while the database answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, setDb } from "../../app/db.server";
import { startTestApp, type TestApp } from "../support/app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

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
