// `npm run seed`: writes the demo data (idempotent). Refuses a production DATABASE_URL.
import { config } from "../app/config.server";
import { openDatabase } from "../app/db.server";
import { migrateToLatest } from "../app/migrate.server";
import { DEMO_PASSWORD, demoAccounts, seedDemoData } from "../seeds/index";

const c = config();
if (c.production && c.databaseUrl) {
  console.error("Refusing to seed demo accounts with known passwords into a production database.");
  process.exit(1);
}
const db = await openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir });
await migrateToLatest(db);
await seedDemoData(db);
console.log(`Demo data is in place. Password for every demo account: ${DEMO_PASSWORD}`);
for (const a of demoAccounts) console.log(`  ${a.email.padEnd(28)} ${a.role}`);
await db.destroy();
