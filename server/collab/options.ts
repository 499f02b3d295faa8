// Tunables of the collaboration server, read from COLLAB_* environment variables with
// defaults that suit one instance; tests and benchmarks override them.
import { z } from "zod";

const EnvSchema = z.object({
  COLLAB_MAX_PAYLOAD_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024),
  COLLAB_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(50),
  COLLAB_IDLE_UNLOAD_MS: z.coerce.number().int().nonnegative().default(30_000),
  COLLAB_AWARENESS_INTERVAL_MS: z.coerce.number().int().positive().default(100),
  COLLAB_COMPACT_AFTER_ROWS: z.coerce.number().int().positive().default(100),
  COLLAB_COMMIT_DELAY_MS: z.coerce.number().int().nonnegative().default(0),
  COLLAB_HOOK_INTERVAL_MS: z.coerce.number().int().nonnegative().default(500),
  COLLAB_HISTORY_IDLE_MS: z.coerce.number().int().positive().default(5 * 60_000),
});

export interface CollabOptions {
  /** Largest accepted frame; larger ones close the socket with 1009. */
  maxPayloadBytes: number;
  /** Open sockets per user (all documents); more are refused with 429. */
  maxConnectionsPerUser: number;
  /** A document without connections is written out and dropped after this long. */
  idleUnloadMs: number;
  /** Awareness changes of one document are merged and sent at most once per interval. */
  awarenessIntervalMs: number;
  /** Fold the stored tail into the snapshot once it has this many rows. */
  compactAfterRows: number;
  /**
   * Like PostgreSQL's commit_delay: wait this long before each INSERT so more updates share it
   * (fewer rows, later "saved"). 0 = write as soon as the previous write is done.
   */
  commitDelayMs: number;
  /**
   * The change hook (audit events, `section.changed` listeners: staleness, history, overview)
   * runs at most once per interval per document; batches stored meanwhile are merged into the
   * next call. The first batch after a quiet interval is reported at once.
   */
  hookIntervalMs: number;
  /** A version is taken once a section has had no stored edits for this long. */
  historyIdleMs: number;
}

export function collabOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CollabOptions {
  const e = EnvSchema.parse(env);
  return {
    maxPayloadBytes: e.COLLAB_MAX_PAYLOAD_BYTES,
    maxConnectionsPerUser: e.COLLAB_MAX_CONNECTIONS_PER_USER,
    idleUnloadMs: e.COLLAB_IDLE_UNLOAD_MS,
    awarenessIntervalMs: e.COLLAB_AWARENESS_INTERVAL_MS,
    compactAfterRows: e.COLLAB_COMPACT_AFTER_ROWS,
    commitDelayMs: e.COLLAB_COMMIT_DELAY_MS,
    hookIntervalMs: e.COLLAB_HOOK_INTERVAL_MS,
    historyIdleMs: e.COLLAB_HISTORY_IDLE_MS,
  };
}
