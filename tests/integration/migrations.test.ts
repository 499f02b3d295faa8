// Migrations bring an empty database to the current schema (PGlite and PostgreSQL), and the
// demo seed is idempotent: a second run leaves every row as it was.
import { Kysely, PGliteDialect, sql } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openDatabase, openPGlite, type Database, type DB } from "../../app/db.server";
import { migrateToLatest } from "../../app/migrate.server";
import { migrations } from "../../migrations/index";
import { demoAccounts, seedDemoData } from "../../seeds/index";
import { sections } from "../../seeds/content";

const TABLES = ["organisations", "users", "codes", "sections", "section_reviewers", "ydoc_snapshots", "ydoc_updates", "sessions", "tokens", "outbox", "audit_events", "releases", "release_sections", "comment_threads", "comments", "comment_mentions", "reviews", "notifications", "mail_preferences", "section_versions", "ydoc_authors", "pledges"] as const;

async function snapshotRows(db: DB) {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    out[table] = rows.map((r) => JSON.stringify(r, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v))).sort();
  }
  return out;
}

async function checkMigrateAndSeed(db: DB) {
  expect(await migrateToLatest(db)).toEqual(Object.keys(migrations).sort());
  expect(Object.keys(migrations)[0]).toBe("0001_foundation");
  expect(await migrateToLatest(db)).toEqual([]);
  await seedDemoData(db);
  const first = await snapshotRows(db);
  await seedDemoData(db);
  expect(await snapshotRows(db)).toEqual(first);

  expect(first.users).toHaveLength(demoAccounts.length);
  expect(first.sections).toHaveLength(10);
  expect(first.ydoc_snapshots).toHaveLength(10);
  const reviewers = await db.selectFrom("section_reviewers").select(["section_id", "organisation_id"]).execute();
  expect(reviewers.filter((r) => r.section_id === "zelfdoding").map((r) => r.organisation_id)).toEqual(["awel"]);
  expect(reviewers.length).toBe(sections.reduce((n, s) => n + s.reviewers.length, 0));
  // E-mail is unique regardless of case.
  await expect(
    db.insertInto("users").values({ email: "CREATOR1@codewerf.test", display_name: "x", role: "influencer", password_hash: null }).execute(),
  ).rejects.toThrow();
}

describe("migrations and seed", () => {
  it("run on an empty embedded PGlite", async () => {
    const pglite = await openPGlite();
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    try {
      await checkMigrateAndSeed(db);
    } finally {
      await db.destroy(); // closes the PGlite too
    }
  });

  it.runIf(process.env.DATABASE_URL)("run on an empty PostgreSQL database", async () => {
    const adminUrl = process.env.DATABASE_URL!;
    const name = `codewerf_migr_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
    try {
      await checkMigrateAndSeed(db);
    } finally {
      await db.destroy();
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    }
  });
});
