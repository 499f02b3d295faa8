// Prepared statements on PostgreSQL (app/pg-prepared.server.ts): a text run again is prepared on
// the server under one name per connection, results stay right, and a statement whose table
// changed shape fails once and then runs unnamed instead of failing for ever.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DB } from "../../app/db.server";
import { listRegistry } from "../../app/models/pledges.server";
import { testDatabaseEnv, usingPostgres } from "../support/db";

describe.runIf(usingPostgres())("prepared statements", () => {
  let db: DB;
  let plain: DB;
  beforeAll(async () => {
    const { DATABASE_URL } = await testDatabaseEnv();
    // One connection each, so every statement below runs on the connection it inspects.
    db = await openDatabase({ databaseUrl: DATABASE_URL, poolSize: 1 });
    plain = await openDatabase({ databaseUrl: DATABASE_URL, poolSize: 1, prepare: false });
  });
  afterAll(async () => {
    await db?.destroy();
    await plain?.destroy();
  });

  const preparedTexts = async (on: DB) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(on)).rows.map((r) => r.statement);

  it("prepares a text from its second run on, once per connection, with the right results every time", async () => {
    const lookup = (email: string) => db.selectFrom("users").select(["email", "role"]).where("email", "=", email).executeTakeFirst();
    expect(await lookup("creator1@codewerf.test")).toEqual({ email: "creator1@codewerf.test", role: "influencer" });
    expect(await lookup("awel@codewerf.test")).toMatchObject({ email: "awel@codewerf.test", role: "expert" });
    expect(await lookup("nobody@codewerf.test")).toBeUndefined();
    const prepared = (await preparedTexts(db)).filter((s) => s.includes('from "users"') && s.includes('"email" = $1'));
    expect(prepared).toHaveLength(1);
    // Off: nothing is prepared.
    for (let i = 0; i < 3; i++) await plain.selectFrom("users").select("email").where("email", "=", "creator1@codewerf.test").execute();
    expect(await preparedTexts(plain)).toEqual([]);
  });

  it("recovers from a table that changed shape under a prepared statement", async () => {
    await sql`create table prepared_probe (a int)`.execute(plain);
    await sql`insert into prepared_probe values (1)`.execute(plain);
    const all = () => db.selectFrom("prepared_probe" as never).selectAll().execute() as Promise<Record<string, unknown>[]>;
    expect(await all()).toEqual([{ a: 1 }]);
    expect(await all()).toEqual([{ a: 1 }]);
    expect((await preparedTexts(db)).some((s) => s.includes('"prepared_probe"'))).toBe(true);
    await sql`alter table prepared_probe add column b int default 2`.execute(plain);
    // PostgreSQL refuses the prepared form once ("cached plan must not change result type") …
    await expect(all()).rejects.toMatchObject({ code: "0A000" });
    // … and from then on the text runs unnamed on this connection, with the new columns.
    expect(await all()).toEqual([{ a: 1, b: 2 }]);
    expect(await all()).toEqual([{ a: 1, b: 2 }]);
  });

  it("never prepares a statement whose plan depends on its values (the registry search), and still finds", async () => {
    const searches = ["awel", "child", "zzz-niemand"];
    const found: number[] = [];
    for (let i = 0; i < 4; i++) for (const q of searches) found.push((await listRegistry(db, { q })).items.length);
    // The same listing without a search is prepared as usual.
    for (let i = 0; i < 3; i++) await listRegistry(db, {});
    const texts = await preparedTexts(db);
    expect(texts.some((t) => t.includes('from "pledges" as "p"'))).toBe(true);
    expect(texts.filter((t) => t.includes(" like "))).toEqual([]);
    // The same answers every time: the search ran, unnamed.
    expect(found.slice(0, 3)).toEqual(found.slice(9, 12));
  });
});
