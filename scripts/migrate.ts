// `npm run migrate`: applies pending migrations to DATABASE_URL or the embedded database.
import { config } from "../app/config.server";
import { openDatabase } from "../app/db.server";
import { migrateToLatest } from "../app/migrate.server";

const c = config();
const db = await openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir });
const applied = await migrateToLatest(db);
console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
await db.destroy();
