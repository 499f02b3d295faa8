// `npm test`: builds the app when needed, then runs every test with vitest. Arguments pass
// through (`npm test -- tests/unit/policies.test.ts`).
import { spawnSync } from "node:child_process";
import { buildIfStale } from "./build-if-stale.mjs";

await buildIfStale();
const r = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
