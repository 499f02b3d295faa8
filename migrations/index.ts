// Every migration, in order. A static list (not a folder scan) so the same migrations run
// from the server, the scripts and the tests, bundled or not.
import type { Migration } from "kysely/migration";
import * as m0001 from "./0001_foundation.js";

export const migrations: Record<string, Migration> = {
  "0001_foundation": m0001,
};
