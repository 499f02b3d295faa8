// A fresh copy of the migrated, seeded template for one test (file): in-process as a Kysely
// instance, or as environment variables for a server started in a child process.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { openDatabase, openPGlite, pgliteDatabase, type DB } from "../../app/db.server";

let counter = 0;

async function createPostgresCopy(): Promise<string> {
  const t = inject("dbTemplate");
  if (t.kind !== "postgres") throw new Error("not in PostgreSQL mode");
  const name = `${t.prefix}_${process.pid}_${++counter}`;
  const admin = new pg.Client({ connectionString: t.adminUrl });
  await admin.connect();
  try {
    // Two copies from one template at the same moment can collide; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${t.template}`);
        break;
      } catch (err) {
        if (attempt >= 20 || !String(err).includes("being accessed")) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(t.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function templateDump(): Blob {
  const t = inject("dbTemplate");
  if (t.kind !== "pglite") throw new Error("not in PGlite mode");
  return new Blob([fs.readFileSync(t.file)]);
}

export const usingPostgres = () => inject("dbTemplate").kind === "postgres";

/** An open Kysely instance on a private copy of the seeded database. */
export async function testDatabase(): Promise<{ db: DB; databaseUrl?: string; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codewerf-test-"));
  if (usingPostgres()) {
    const databaseUrl = await createPostgresCopy();
    return { db: await openDatabase({ databaseUrl, poolSize: 5 }), databaseUrl, dataDir };
  }
  const pglite = await openPGlite({ loadDataDir: templateDump() });
  return { db: pgliteDatabase(pglite), dataDir };
}

/** Environment for a server in a child process: a private database it opens itself. */
export async function testDatabaseEnv(): Promise<Record<string, string>> {
  if (usingPostgres()) return { DATABASE_URL: await createPostgresCopy() };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codewerf-srv-"));
  const pglite = await openPGlite({ dataDir: path.join(dataDir, "pglite"), loadDataDir: templateDump() });
  await pglite.close();
  return { DATA_DIR: dataDir };
}
