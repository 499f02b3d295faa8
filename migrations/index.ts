// Every migration, in order. A static list (not a folder scan) so the same migrations run
// from the server, the scripts and the tests, bundled or not.
import type { Migration } from "kysely/migration";
import * as m0001 from "./0001_foundation.js";
import * as m0002 from "./0002_history.js";
import * as m0003 from "./0003_comments_review.js";
import * as m0004 from "./0004_releases.js";
import * as m0005 from "./0005_pledges.js";
import * as m0006 from "./0006_comment_revisions.js";
import * as m0007 from "./0007_registry_search.js";
import * as m0008 from "./0008_page_changes.js";
import * as m0009 from "./0009_comment_own_revisions.js";
import * as m0010 from "./0010_notices_after_commit.js";

export const migrations: Record<string, Migration> = {
  "0001_foundation": m0001,
  "0002_history": m0002,
  "0003_comments_review": m0003,
  "0004_releases": m0004,
  "0005_pledges": m0005,
  "0006_comment_revisions": m0006,
  "0007_registry_search": m0007,
  "0008_page_changes": m0008,
  "0009_comment_own_revisions": m0009,
  "0010_notices_after_commit": m0010,
};
