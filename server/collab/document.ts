// One live section document: loaded once before any sync answer, updates from one event-loop
// turn relayed as one message, stored through group commit, presence merged per interval.
import type { Logger } from "pino";
import * as Y from "yjs";
import type { DB } from "../../app/db.server";
import type { PMJSON } from "../../app/domain/richtext";
import { AuthorRuns, type AuthorRange } from "../../app/models/attribution.server";
import { replaceFragmentContent } from "../../app/models/live-sections.server";
import { loadDocState } from "../../app/models/ydocs.server";
import { DocAwareness } from "./awareness";
import type { Connection } from "./connection";
import { type Outgoing, SharedFrame } from "./frame";
import { DocWriter, type StoredBatch } from "./persistence";
import { SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, syncMessage } from "./protocol";

/** Transaction origins that are not a local connection. */
const LOAD = Symbol("load");
const REMOTE = Symbol("remote");
const RESYNC = Symbol("resync");

/** The origin of a change made by a user: a Connection, or a server-side edit such as a restore. */
interface UserOrigin {
  user: { id: string };
}

export interface DocDeps {
  db: DB;
  log: Logger;
  awarenessIntervalMs: number;
  compactAfterRows: number;
  commitDelayMs: number;
  onStored: (batch: StoredBatch) => void;
  /** Shares a locally made update / awareness change with other instances. */
  publishUpdate: (docName: string, update: Uint8Array) => void;
  publishAwareness: (docName: string, update: Uint8Array) => void;
}

interface HeldAck {
  seq: number;
  needs: Map<number, number>;
}

export class SharedDoc {
  readonly doc = new Y.Doc();
  readonly connections = new Set<Connection>();
  readonly awareness: DocAwareness;
  readonly ready: Promise<void>;
  loaded = false;
  /** Sockets on this document, including those still waiting for the load. */
  refs = 0;
  idleTimer: NodeJS.Timeout | null = null;
  writer: DocWriter | null = null;
  private relayQueue: Uint8Array[] = [];
  private relayOrigins = new Set<unknown>();
  private localQueue: Uint8Array[] = [];
  private flushScheduled = false;
  private fullState: Uint8Array | null = null;
  private fullStateMessage: SharedFrame | null = null;
  private serverStep1: Uint8Array | null = null;
  /** The stored state, until it is applied to `doc`: the first syncs only need its bytes. */
  private unapplied: Uint8Array | null = null;
  private held = new Map<Connection, HeldAck[]>();
  private readonly authorRuns = new AuthorRuns();
  private remoteBeforeLoad: Uint8Array[] | null = [];
  /** Messages sent to clients, and relayed batches (benchmark, /healthz). */
  stats = { relayed: 0, framesSent: 0 };

  constructor(
    readonly name: string,
    readonly codeId: string,
    readonly sectionId: string,
    private readonly deps: DocDeps,
  ) {
    this.awareness = new DocAwareness(deps.awarenessIntervalMs, () => this.connections, (u) => deps.publishAwareness(name, u));
    this.doc.on("update", this.onUpdate);
    this.ready = this.load();
  }

  private async load(): Promise<void> {
    const stored = await loadDocState(this.deps.db, this.name);
    // The loaded state is itself a complete update: the first joiners get it without re-encoding,
    // and it is applied to the Y.Doc right after their answers went out (or when needed earlier).
    this.unapplied = stored.state;
    this.fullState = stored.tailRows === 0 ? stored.state : null;
    this.writer = new DocWriter(this.name, this.codeId, this.sectionId, stored.tailRows, {
      db: this.deps.db,
      log: this.deps.log,
      compactAfterRows: this.deps.compactAfterRows,
      commitDelayMs: this.deps.commitDelayMs,
      onStored: this.deps.onStored,
    });
    this.loaded = true;
    const remote = this.remoteBeforeLoad ?? [];
    this.remoteBeforeLoad = null;
    if (remote.length) this.hydrate();
    for (const update of remote) Y.applyUpdate(this.doc, update, REMOTE);
    setImmediate(() => this.hydrate());
  }

  /** Applies the stored state to the Y.Doc (once); everything that reads or changes the doc calls it first. */
  private hydrate(): void {
    const state = this.unapplied;
    if (!state) return;
    this.unapplied = null;
    // Without an update listener Yjs skips encoding the applied state again as an update event
    // (which onDocUpdate ignores for LOAD): a second pass over the whole document per cold load.
    this.doc.off("update", this.onUpdate);
    try {
      Y.applyUpdate(this.doc, state, LOAD);
    } finally {
      this.doc.on("update", this.onUpdate);
    }
  }

  /** Sync step 2 for a client's state vector (the whole document, encoded once per version). */
  syncStep2For(stateVector: Uint8Array): Outgoing {
    if (stateVector.length === 1 && stateVector[0] === 0) {
      if (!this.fullState) this.hydrate();
      this.fullState ??= Y.encodeStateAsUpdate(this.doc);
      this.fullStateMessage ??= new SharedFrame(syncMessage(SYNC_STEP2, this.fullState));
      return this.fullStateMessage;
    }
    this.hydrate();
    return syncMessage(SYNC_STEP2, Y.encodeStateAsUpdate(this.doc, stateVector));
  }

  /** The server's sync step 1: asks a writer for whatever it has that the server lacks. */
  syncStep1(): Uint8Array {
    this.serverStep1 ??= syncMessage(SYNC_STEP1, this.unapplied ? Y.encodeStateVectorFromUpdate(this.unapplied) : Y.encodeStateVector(this.doc));
    return this.serverStep1;
  }

  /**
   * Applies a writer's update (already decoded and checked). Its acknowledgement joins the next
   * stored batch, unless Yjs holds some of it as pending (missing dependencies).
   */
  applyFromConnection(conn: Connection, update: Uint8Array, seq: number, meta: { to: Map<number, number> }): void {
    this.hydrate();
    const before = [...meta.to.keys()].map((client) => [client, Y.getState(this.doc.store, client)] as const);
    Y.applyUpdate(this.doc, update, conn);
    const writer = this.writer!;
    // Only the clock ranges this update added are credited to its sender.
    this.credit(before, conn.user.id);
    const needs = new Map([...meta.to].filter(([client, clock]) => Y.getState(this.doc.store, client) < clock));
    if (needs.size || this.held.has(conn)) {
      const list = this.held.get(conn) ?? [];
      list.push({ seq, needs });
      this.held.set(conn, list);
    } else {
      writer.ack(conn, seq);
    }
    if (this.held.size) this.releaseHeld();
  }

  private credit(before: (readonly [number, number])[], userId: string): void {
    const ranges: AuthorRange[] = [];
    for (const [client, from] of before) {
      const to = Y.getState(this.doc.store, client);
      if (to > from) ranges.push(this.authorRuns.credit(client, from, to, userId));
    }
    if (ranges.length) this.writer!.addAuthors(ranges);
  }

  /**
   * Changes the text into `json` as a new change by `userId` (a restore): relayed to every
   * connection and stored like an edit; resolves once it is durable.
   */
  async replaceText(json: PMJSON, userId: string): Promise<void> {
    await this.ready;
    this.hydrate();
    const before = [[this.doc.clientID, Y.getState(this.doc.store, this.doc.clientID)] as const];
    const origin: UserOrigin = { user: { id: userId } };
    replaceFragmentContent(this.doc, json, origin);
    this.credit(before, userId);
    await this.flush();
  }

  /** Acks held for pending structs are released, in order, once those structs are integrated. */
  private releaseHeld(): void {
    for (const [conn, list] of this.held) {
      while (list.length && [...list[0].needs].every(([client, clock]) => Y.getState(this.doc.store, client) >= clock)) {
        this.writer!.ack(conn, list.shift()!.seq);
      }
      if (!list.length) this.held.delete(conn);
    }
  }

  /** An update made on another instance (relayed to local clients, stored over there). */
  applyRemote(update: Uint8Array): void {
    if (this.remoteBeforeLoad) this.remoteBeforeLoad.push(update);
    else {
      this.hydrate();
      Y.applyUpdate(this.doc, update, REMOTE);
    }
  }

  /** A closed socket: no acks are held for it and its presence goes away. */
  forget(conn: Connection): void {
    this.connections.delete(conn);
    this.held.delete(conn);
    this.awareness.leave(conn);
  }

  /** Re-reads the stored state (after a Redis outage, another instance may have stored more). */
  async resyncFromStore(): Promise<void> {
    const stored = await loadDocState(this.deps.db, this.name);
    this.hydrate();
    Y.applyUpdate(this.doc, stored.state, RESYNC);
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown) => this.onDocUpdate(update, origin);

  private onDocUpdate(update: Uint8Array, origin: unknown): void {
    // Applying the stored state changes nothing the caches describe.
    if (origin === LOAD) return;
    this.fullState = null;
    this.fullStateMessage = null;
    this.serverStep1 = null;
    this.relayQueue.push(update);
    this.relayOrigins.add(origin);
    if (origin !== REMOTE && origin !== RESYNC) {
      this.localQueue.push(update);
      this.writer!.add(update, (origin as UserOrigin).user.id);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushRelay());
    }
  }

  /** One merged message per turn, encoded once, to every connection (and the other instances). */
  private flushRelay(): void {
    this.flushScheduled = false;
    const updates = this.relayQueue;
    const origins = this.relayOrigins;
    const local = this.localQueue;
    this.relayQueue = [];
    this.relayOrigins = new Set();
    this.localQueue = [];
    if (!updates.length) return;
    const merged = updates.length === 1 ? updates[0] : Y.mergeUpdates(updates);
    // Other instances first: their clients' path is longer (Redis, another process).
    if (local.length) this.deps.publishUpdate(this.name, local.length === updates.length ? merged : Y.mergeUpdates(local));
    const message = new SharedFrame(syncMessage(SYNC_UPDATE, merged));
    // A lone sender already has its own update; everyone else gets the merged one.
    const skip = origins.size === 1 ? [...origins][0] : null;
    for (const conn of this.connections) {
      if (conn === skip) continue;
      conn.send(message);
      this.stats.framesSent++;
    }
    this.stats.relayed++;
  }

  /** Everything stored, acknowledged and shared. */
  async flush(): Promise<void> {
    if (this.flushScheduled) this.flushRelay();
    await this.writer?.flush();
  }

  destroy(): void {
    this.awareness.destroy();
    this.doc.destroy();
  }
}
