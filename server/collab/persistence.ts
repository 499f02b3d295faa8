// Group commit for one document: at most one INSERT in flight; everything that arrives
// meanwhile is merged into the next single INSERT. Acknowledgements are released only after commit.
import * as Y from "yjs";
import type { DB } from "../../app/db.server";
import type { AuthorRange } from "../../app/models/attribution.server";
import { appendUpdate, compactDoc } from "../../app/models/ydocs.server";
import { foldOffThread } from "./fold";
import type { Logger } from "pino";

/** Something that is told "your first n update messages are durable". */
export interface AckTarget {
  acknowledge(n: number): void;
}

/** What the change hook receives after each stored batch. */
export interface StoredBatch {
  docName: string;
  codeId: string;
  sectionId: string;
  /** Users whose edits are in the stored rows. */
  userIds: string[];
  /** Ids of the `ydoc_updates` rows written. */
  updateIds: string[];
  bytes: number;
  /** Who wrote which Yjs items in the stored rows (see app/models/attribution.server.ts). */
  authors: AuthorRange[];
}

interface Batch {
  updates: Uint8Array[];
  userIds: Set<string>;
  authors: AuthorRange[];
  acks: Map<AckTarget, number>;
}

const emptyBatch = (): Batch => ({ updates: [], userIds: new Set(), authors: [], acks: new Map() });

export interface WriterDeps {
  db: DB;
  log: Logger;
  compactAfterRows: number;
  commitDelayMs: number;
  onStored: (batch: StoredBatch) => void;
}

export class DocWriter {
  private next = emptyBatch();
  private running: Promise<void> | null = null;
  private tailRows: number;
  private compacting: Promise<void> | null = null;
  /** Total bytes and rows written (for the benchmark and /healthz). */
  stats = { rows: 0, bytes: 0 };

  constructor(
    private readonly name: string,
    private readonly codeId: string,
    private readonly sectionId: string,
    loadedTailRows: number,
    private readonly deps: WriterDeps,
  ) {
    this.tailRows = loadedTailRows;
  }

  /** An integrated update to store (called in the same turn it was applied). */
  add(update: Uint8Array, userId: string | null): void {
    this.next.updates.push(update);
    if (userId) this.next.userIds.add(userId);
    this.kick();
  }

  /** Credits of the updates added in this turn (stored with them, reported to the hook). */
  addAuthors(ranges: AuthorRange[]): void {
    this.next.authors.push(...ranges);
  }

  /** Acknowledge `target`'s first `n` messages once everything queued so far is durable. */
  ack(target: AckTarget, n: number): void {
    const prev = this.next.acks.get(target) ?? 0;
    if (n > prev) this.next.acks.set(target, n);
    this.kick();
  }

  get idle(): boolean {
    return this.running === null;
  }

  /** Resolves when everything queued so far is stored (and compaction, if running, is done). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.compacting) await this.compacting;
  }

  /** Compacts the stored tail now (idle unload) unless it is already short. */
  async compactNow(): Promise<void> {
    await this.flush();
    if (this.tailRows > 1) await this.compact();
  }

  private kick(): void {
    if (this.running) return;
    const delay = this.deps.commitDelayMs;
    this.running = new Promise<void>((resolve) => (delay ? setTimeout(resolve, delay) : setImmediate(resolve))).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.next.updates.length || this.next.acks.size) {
        const batch = this.next;
        this.next = emptyBatch();
        await this.store(batch);
      }
    } finally {
      this.running = null;
    }
  }

  private async store(batch: Batch): Promise<void> {
    let updateIds: string[] = [];
    let bytes = 0;
    if (batch.updates.length) {
      const merged = batch.updates.length === 1 ? batch.updates[0] : Y.mergeUpdates(batch.updates);
      const userIds = [...batch.userIds];
      bytes = merged.byteLength;
      for (let attempt = 0; ; attempt++) {
        try {
          updateIds = [await appendUpdate(this.deps.db, this.name, merged, userIds)];
          break;
        } catch (err) {
          // Not acknowledged, so nothing is promised yet: keep trying (clients re-sync anyway).
          this.deps.log.error({ err, doc: this.name, attempt }, "storing an update failed; retrying");
          await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
        }
      }
      this.stats.rows++;
      this.stats.bytes += bytes;
      this.tailRows++;
      this.deps.onStored({ docName: this.name, codeId: this.codeId, sectionId: this.sectionId, userIds, updateIds, bytes, authors: batch.authors });
      if (this.tailRows >= this.deps.compactAfterRows && !this.compacting) void this.compact();
    }
    for (const [target, n] of batch.acks) target.acknowledge(n);
  }

  private compact(): Promise<void> {
    this.compacting ??= compactDoc(this.deps.db, this.name, foldOffThread)
      .then(({ folded }) => {
        this.tailRows = Math.max(0, this.tailRows - folded);
      })
      .catch((err) => this.deps.log.error({ err, doc: this.name }, "compaction failed"))
      .finally(() => {
        this.compacting = null;
      });
    return this.compacting;
  }
}
