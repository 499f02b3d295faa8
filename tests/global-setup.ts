// Builds one migrated, seeded template database per test run; each test file then gets its
// own copy (PostgreSQL: CREATE DATABASE … TEMPLATE; PGlite: a dump loaded into a new instance).
import { Kysely, PGliteDialect, sql } from "kysely";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase, openPGlite, type Database } from "../app/db.server";
import { migrateToLatest } from "../app/migrate.server";
import { seedDemoData } from "../seeds/index";

const runId = `${process.pid}_${Date.now().toString(36)}`;
let cleanup: (() => Promise<void>) | undefined;

// Named `setup` and `teardown` exports: with a default export vitest ignores a named teardown.
export async function setup(project: TestProject) {
  process.env.SESSION_SECRET ??= "test-session-secret-0123456789";
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `codewerf_tpl_${runId}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${template}`);
    const tplUrl = new URL(url);
    tplUrl.pathname = `/${template}`;
    const db = await openDatabase({ databaseUrl: tplUrl.toString(), poolSize: 1 });
    await migrateToLatest(db);
    await seedDemoData(db);
    await db.destroy();
    project.provide("dbTemplate", { kind: "postgres", adminUrl: url, template, prefix: `codewerf_t_${runId}` });
    cleanup = async () => {
      const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where datname like $1", [`codewerf_%${runId}%`]);
      for (const r of rows) await admin.query(`drop database if exists ${r.datname} with (force)`);
      await admin.end();
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codewerf-tpl-"));
    const pglite = await openPGlite();
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    await migrateToLatest(db);
    await seedDemoData(db);
    await sql`checkpoint`.execute(db);
    const dump = await pglite.dumpDataDir("none");
    const file = path.join(dir, "template.tar");
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    await db.destroy();
    project.provide("dbTemplate", { kind: "pglite", file, prefix: `codewerf_t_${runId}` });
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function teardown() {
  await cleanup?.();
}

declare module "vitest" {
  export interface ProvidedContext {
    dbTemplate:
      | { kind: "postgres"; adminUrl: string; template: string; prefix: string }
      | { kind: "pglite"; file: string; prefix: string };
  }
}
