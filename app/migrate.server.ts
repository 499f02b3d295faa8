// Applies the forward-only migrations in migrations/ (at start and by `npm run migrate`).
import { Migrator, type MigrationProvider } from "kysely/migration";
import { migrations } from "../migrations/index.js";
import type { DB } from "./db.server.js";

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(database: DB): Promise<string[]> {
  const migrator = new Migrator({ db: database, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
