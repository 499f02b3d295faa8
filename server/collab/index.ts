// The collaboration server: authenticates websocket upgrades on /collab/:code/:section, keeps
// the registry of live documents, reacts to rights changes, fans out via Redis, shuts down cleanly.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import { db as processDb, type DB } from "../../app/db.server";
import { emit as emitDomainEvent, on as onDomainEvent } from "../../app/events.server";
import { log as processLog } from "../../app/log.server";
import { recordAuthorRanges } from "../../app/models/attribution.server";
import { recordIdleVersion } from "../../app/models/history.server";
import { registerLiveSections } from "../../app/models/live-sections.server";
import { recordSectionEdits } from "../../app/models/sections.server";
import { can } from "../../app/policies.server";
import { userFromCookieHeader } from "../../app/session.server";
import { authorizeUpgrade, sectionAccess, SectionResources, type Grant } from "./auth";
import { Connection } from "./connection";
import { SharedDoc } from "./document";
import { collabOptionsFromEnv, type CollabOptions } from "./options";
import type { StoredBatch } from "./persistence";
import { docName, type PMJSON } from "../../app/domain/richtext";
import { CLOSE } from "./protocol";
import { RedisFanout, type ControlMessage, type PresenceUser } from "./redis";

export type { StoredBatch } from "./persistence";

export interface CollabServerOptions extends Partial<CollabOptions> {
  /** The database (default: the process-wide `db()`). */
  db?: () => DB;
  /** Enables fan-out between instances. */
  redisUrl?: string;
  /**
   * The change hook: called after every stored batch with who changed which section. Calls for
   * one document never overlap; batches stored meanwhile are merged into the next call.
   * Default: `recordSectionEdits` (one `section.edited` audit event per user and batch).
   */
  onStored?: (batch: StoredBatch) => Promise<void> | void;
  /**
   * Called once a section had no stored edits for `historyIdleMs` (and for every section with
   * such a pending burst at shutdown). Default: `recordIdleVersion` (a version in the history).
   */
  onSettled?: (section: { codeId: string; sectionId: string }) => Promise<void> | void;
  log?: Logger;
}

const HEARTBEAT_MS = 30_000;
/** Each instance republishes who is in its sections this often; a list not renewed expires. */
const PRESENCE_RENEW_MS = 10_000;
const PRESENCE_TTL_MS = 3 * PRESENCE_RENEW_MS;
const RESYNC_AGAIN_MS = 1_500;

const STATUS_TEXT: Record<number, string> = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable" };

function refuse(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export class CollabServer {
  readonly options: CollabOptions;
  private readonly wss: WebSocketServer;
  private readonly docs = new Map<string, SharedDoc>();
  private readonly connections = new Set<Connection>();
  private readonly perUser = new Map<string, number>();
  private readonly fanout: RedisFanout | null;
  /** Who is in which section on this instance, and (by instance id) on the others. */
  private readonly instance = randomUUID();
  private readonly localPresence = new Map<string, { codeId: string; sectionId: string; users: PresenceUser[] }>();
  private readonly remotePresence = new Map<string, { codeId: string; sectionId: string; byInstance: Map<string, { users: PresenceUser[]; expires: number }> }>();
  private presenceTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;
  private readonly db: () => DB;
  private readonly sections: SectionResources;
  private readonly hook: NonNullable<CollabServerOptions["onStored"]>;
  private readonly hookPending = new Map<string, StoredBatch>();
  private readonly hookRunning = new Map<string, Promise<void>>();
  private readonly settled: NonNullable<CollabServerOptions["onSettled"]>;
  /** Sections with stored edits that no version covers yet: the idle timer per document. */
  private readonly settling = new Map<string, { codeId: string; sectionId: string; timer: NodeJS.Timeout }>();
  private readonly unsubscribe: (() => void)[];
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;

  constructor(opts: CollabServerOptions = {}) {
    this.options = { ...collabOptionsFromEnv(), ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as CollabOptions;
    this.log = (opts.log ?? processLog()).child({ module: "collab" });
    this.db = opts.db ?? processDb;
    this.sections = new SectionResources(this.db);
    this.hook = opts.onStored ?? ((b) => recordSectionEdits(this.db(), b));
    this.settled = opts.onSettled ?? ((s) => recordIdleVersion(this.db(), s.codeId, s.sectionId).then(() => undefined));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.options.maxPayloadBytes, perMessageDeflate: false });
    this.fanout = opts.redisUrl
      ? new RedisFanout(
          opts.redisUrl,
          {
            update: (name, update) => this.withDoc(name, (d) => d.applyRemote(update)),
            awareness: (name, update) => this.withDoc(name, (d) => d.awareness.applyRemote(update)),
            control: (m) => this.onControl(m),
            resync: () => this.resyncAll(),
          },
          this.log,
        )
      : null;
    this.unsubscribe = [
      onDomainEvent("user.rights-changed", ({ userId }) => {
        this.onControl({ type: "user", userId });
        this.fanout?.publishControl({ type: "user", userId });
      }),
      onDomainEvent("section.rights-changed", ({ codeId, sectionId }) => {
        this.onControl({ type: "section", codeId, sectionId });
        this.fanout?.publishControl({ type: "section", codeId, sectionId });
      }),
    ];
    this.unsubscribe.push(
      registerLiveSections({
        replaceText: (codeId, sectionId, json, userId) => this.replaceText(codeId, sectionId, json, userId),
        editsRecorded: (codeId, sectionId) => this.editsRecorded(codeId, sectionId),
      }),
    );
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS).unref();
    if (this.fanout) this.presenceTimer = setInterval(() => this.renewPresence(), PRESENCE_RENEW_MS).unref();
  }

  /**
   * The in-process API behind `liveSections().replaceText` (restoring a version): applied to
   * the live document (loaded for the occasion when nobody has it open), so connected clients
   * get it through the normal relay; resolves once stored.
   */
  async replaceText(codeId: string, sectionId: string, json: PMJSON, userId: string): Promise<void> {
    if (this.closing) throw new Error("the collaboration server is shutting down");
    const shared = this.docFor({ docName: docName(codeId, sectionId), codeId, sectionId });
    shared.refs++;
    if (shared.idleTimer) clearTimeout(shared.idleTimer);
    shared.idleTimer = null;
    try {
      await shared.replaceText(json, userId);
    } finally {
      this.release(shared);
    }
  }

  /** Takes over `/collab/*` upgrades on `server`; other upgrade paths get 404. */
  attach(server: Server): this {
    server.on("upgrade", (req, socket, head) => void this.handleUpgrade(req, socket, head));
    return this;
  }

  /** For /healthz. */
  health(): Record<string, unknown> {
    let awarenessFrames = 0;
    let updateFrames = 0;
    let storedRows = 0;
    let storedBytes = 0;
    for (const d of this.docs.values()) {
      awarenessFrames += d.awareness.framesSent;
      updateFrames += d.stats.framesSent;
      storedRows += d.writer?.stats.rows ?? 0;
      storedBytes += d.writer?.stats.bytes ?? 0;
    }
    return { collab: { docs: this.docs.size, connections: this.connections.size, awarenessFrames, updateFrames, storedRows, storedBytes } };
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    if (this.closing) return refuse(socket, 503);
    let grant: Grant;
    try {
      const decision = await authorizeUpgrade(this.sections, req);
      if (!decision.ok) {
        this.log.info({ url: req.url, status: decision.status, reason: decision.reason }, "collab upgrade refused");
        return refuse(socket, decision.status);
      }
      grant = decision.grant;
    } catch (err) {
      this.log.error({ err, url: req.url }, "collab upgrade failed");
      return refuse(socket, 500);
    }
    const open = this.perUser.get(grant.user.id) ?? 0;
    if (open >= this.options.maxConnectionsPerUser) {
      this.log.warn({ user: grant.user.id, open }, "collab connection limit reached");
      return refuse(socket, 429);
    }
    if (socket.destroyed || this.closing) return refuse(socket, 503);
    this.perUser.set(grant.user.id, open + 1);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, grant, req.headers.cookie));
  }

  private accept(ws: WebSocket, grant: Grant, cookie: string | undefined): void {
    const shared = this.docFor(grant);
    shared.refs++;
    if (shared.idleTimer) clearTimeout(shared.idleTimer);
    shared.idleTimer = null;
    const conn = new Connection(ws, grant.user, grant.readOnly, cookie, shared, this.log);
    this.connections.add(conn);
    ws.on("error", (err) => this.log.warn({ err: err.message, doc: shared.name, user: grant.user.id }, "collab socket error"));
    ws.on("close", () => this.onClose(conn));
    shared.ready.then(
      () => conn.attach(),
      () => conn.close(CLOSE.internal, "document could not be loaded"),
    );
    this.announcePresence(shared);
  }

  /**
   * Tells the app who has this section open now (the live overview listens): the people on this
   * instance's sockets, published to the other instances, plus theirs.
   */
  private announcePresence(shared: SharedDoc): void {
    const users = new Map<string, PresenceUser>();
    for (const c of this.connections) {
      if (c.shared !== shared || c.closed) continue;
      const known = users.get(c.user.id);
      users.set(c.user.id, { id: c.user.id, name: c.user.display_name, readOnly: (known?.readOnly ?? true) && c.readOnly });
    }
    const here = { codeId: shared.codeId, sectionId: shared.sectionId, users: [...users.values()] };
    if (here.users.length) this.localPresence.set(shared.name, here);
    else this.localPresence.delete(shared.name);
    this.fanout?.publishControl({ type: "presence", from: this.instance, ...here });
    this.emitPresence(shared.name, shared.codeId, shared.sectionId);
  }

  /** Everyone in the section on any instance (a person on two counts as read-only only if both are). */
  private emitPresence(name: string, codeId: string, sectionId: string): void {
    const users = new Map<string, PresenceUser>();
    const now = Date.now();
    const lists = [this.localPresence.get(name)?.users ?? []];
    const remote = this.remotePresence.get(name);
    for (const [from, entry] of remote?.byInstance ?? []) {
      if (entry.expires > now) lists.push(entry.users);
      else remote!.byInstance.delete(from);
    }
    if (remote && !remote.byInstance.size) this.remotePresence.delete(name);
    for (const list of lists) {
      for (const u of list) {
        const known = users.get(u.id);
        users.set(u.id, { ...u, readOnly: (known?.readOnly ?? true) && u.readOnly });
      }
    }
    emitDomainEvent("section.presence", { codeId, sectionId, users: [...users.values()] });
  }

  private onRemotePresence(m: Extract<ControlMessage, { type: "presence" }>): void {
    const name = docName(m.codeId, m.sectionId);
    let remote = this.remotePresence.get(name);
    if (!remote) this.remotePresence.set(name, (remote = { codeId: m.codeId, sectionId: m.sectionId, byInstance: new Map() }));
    if (m.users.length) remote.byInstance.set(m.from, { users: m.users, expires: Date.now() + PRESENCE_TTL_MS });
    else remote.byInstance.delete(m.from);
    this.emitPresence(name, m.codeId, m.sectionId);
  }

  /** Republishes this instance's lists (the others drop lists not renewed) and drops expired ones. */
  private renewPresence(): void {
    for (const here of this.localPresence.values()) this.fanout?.publishControl({ type: "presence", from: this.instance, ...here });
    const now = Date.now();
    for (const [name, remote] of [...this.remotePresence]) {
      if ([...remote.byInstance.values()].some((e) => e.expires <= now)) this.emitPresence(name, remote.codeId, remote.sectionId);
    }
  }

  private docFor(grant: Pick<Grant, "docName" | "codeId" | "sectionId">): SharedDoc {
    const existing = this.docs.get(grant.docName);
    if (existing) return existing;
    const fanout = this.fanout;
    const shared = new SharedDoc(grant.docName, grant.codeId, grant.sectionId, {
      db: this.db(),
      log: this.log,
      awarenessIntervalMs: this.options.awarenessIntervalMs,
      compactAfterRows: this.options.compactAfterRows,
      commitDelayMs: this.options.commitDelayMs,
      onStored: (b) => this.deliverStored(b),
      publishUpdate: (name, u) => fanout?.publishUpdate(name, u),
      publishAwareness: (name, u) => fanout?.publishAwareness(name, u),
    });
    this.docs.set(grant.docName, shared);
    fanout?.watch(grant.docName);
    shared.ready.then(
      () => {
        // Closes the gap between subscribing and reading: an update published just before the
        // subscription took effect is in the database by now.
        if (fanout) setTimeout(() => this.resync(shared), RESYNC_AGAIN_MS).unref();
      },
      (err) => {
        this.log.error({ err, doc: grant.docName }, "loading a document failed");
        if (this.docs.get(grant.docName) === shared) this.docs.delete(grant.docName);
        fanout?.unwatch(grant.docName);
      },
    );
    return shared;
  }

  private onClose(conn: Connection): void {
    conn.closed = true;
    this.connections.delete(conn);
    const left = (this.perUser.get(conn.user.id) ?? 1) - 1;
    if (left > 0) this.perUser.set(conn.user.id, left);
    else this.perUser.delete(conn.user.id);
    const shared = conn.shared;
    shared.forget(conn);
    this.release(shared);
  }

  /** One user of the document less; the last one starts the idle unload timer. */
  private release(shared: SharedDoc): void {
    shared.refs--;
    this.announcePresence(shared);
    if (shared.refs === 0 && !this.closing) {
      shared.idleTimer = setTimeout(() => void this.unload(shared), this.options.idleUnloadMs);
    }
  }

  /** Writes an idle document out and drops it from memory (unless someone came back). */
  private async unload(shared: SharedDoc): Promise<void> {
    shared.idleTimer = null;
    try {
      await shared.ready;
      await shared.flush();
    } catch (err) {
      this.log.error({ err, doc: shared.name }, "flushing an idle document failed");
    }
    if (shared.refs > 0 || this.docs.get(shared.name) !== shared) return;
    this.docs.delete(shared.name);
    this.fanout?.unwatch(shared.name);
    shared.destroy();
    this.log.debug({ doc: shared.name }, "idle document unloaded");
    shared.writer?.compactNow().catch((err) => this.log.error({ err, doc: shared.name }, "compaction at unload failed"));
  }

  private withDoc(name: string, fn: (d: SharedDoc) => void): void {
    const shared = this.docs.get(name);
    if (!shared) return;
    try {
      fn(shared);
    } catch (err) {
      this.log.warn({ err, doc: name }, "update from another instance rejected");
    }
  }

  /** Hook calls per document never overlap; what is stored meanwhile is merged into the next. */
  private deliverStored(batch: StoredBatch): void {
    const waiting = this.hookPending.get(batch.docName);
    if (waiting) {
      waiting.userIds = [...new Set([...waiting.userIds, ...batch.userIds])];
      waiting.updateIds = [...waiting.updateIds, ...batch.updateIds];
      waiting.bytes += batch.bytes;
      waiting.authors = [...waiting.authors, ...batch.authors];
    } else {
      this.hookPending.set(batch.docName, { ...batch });
    }
    if (this.hookRunning.has(batch.docName)) return;
    const run = (async () => {
      for (let next; (next = this.hookPending.get(batch.docName)); ) {
        this.hookPending.delete(batch.docName);
        const call = (async (b: StoredBatch) => {
          try {
            await recordAuthorRanges(this.db(), b.docName, b.authors);
          } catch (err) {
            this.log.error({ err, doc: b.docName }, "recording authors failed");
          }
          try {
            await this.hook(b);
          } catch (err) {
            this.log.error({ err, doc: b.docName }, "change hook failed");
          }
        })(next);
        this.hookCalls.set(batch.docName, call);
        await call;
        this.hookCalls.delete(batch.docName);
        this.settleLater(next);
        // Throttle: what is stored during the pause joins the next call (skipped when closing,
        // cut short when someone waits for the section's edits to be recorded).
        if (this.options.hookIntervalMs && !this.closing) await this.hookPause(this.options.hookIntervalMs, batch.docName);
      }
      this.hookRunning.delete(batch.docName);
    })();
    this.hookRunning.set(batch.docName, run);
  }

  /** The pause between hook calls per document, which `close()` and `editsRecorded()` cut short. */
  private readonly hookPauses = new Map<string, () => void>();
  /** The hook call running per document. */
  private readonly hookCalls = new Map<string, Promise<void>>();

  private hookPause(ms: number, name: string): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.hookPauses.get(name) === done) this.hookPauses.delete(name);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.hookPauses.set(name, done);
    });
  }

  /**
   * Resolves once every batch of the section stored so far went through the change hook (its
   * authors and audit events are written): naming a version right after "opgeslagen" must
   * credit the person who just typed, not wait for the throttle.
   */
  async editsRecorded(codeId: string, sectionId: string): Promise<void> {
    const name = docName(codeId, sectionId);
    for (;;) {
      const call = this.hookCalls.get(name);
      if (call) {
        await call;
        continue;
      }
      if (!this.hookPending.has(name) || !this.hookRunning.has(name)) return;
      // Waiting in the throttle's pause: run the pending call now.
      this.hookPauses.get(name)?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** (Re)starts the section's idle timer: the version is taken when the burst of edits settles. */
  private settleLater(batch: StoredBatch): void {
    const pending = this.settling.get(batch.docName);
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => void this.settle(batch.docName), this.options.historyIdleMs);
    timer.unref();
    this.settling.set(batch.docName, { codeId: batch.codeId, sectionId: batch.sectionId, timer });
  }

  private async settle(name: string): Promise<void> {
    const pending = this.settling.get(name);
    if (!pending) return;
    this.settling.delete(name);
    clearTimeout(pending.timer);
    try {
      await this.settled({ codeId: pending.codeId, sectionId: pending.sectionId });
    } catch (err) {
      this.log.error({ err, doc: name }, "taking a version after an editing burst failed");
    }
  }

  private onControl(m: ControlMessage): void {
    if (m.type === "presence") return this.onRemotePresence(m);
    if (m.type === "section") this.sections.invalidate(m.codeId, m.sectionId);
    for (const conn of this.connections) {
      const affected = m.type === "user" ? conn.user.id === m.userId : conn.shared.codeId === m.codeId && conn.shared.sectionId === m.sectionId;
      if (affected) void this.revalidate(conn);
    }
  }

  /** Re-asks the session and the policy; closes or downgrades/upgrades the connection. */
  private async revalidate(conn: Connection): Promise<void> {
    try {
      const user = await userFromCookieHeader(conn.cookie);
      if (conn.closed) return;
      if (!user || user.id !== conn.user.id || !can(user, "draft.read")) return conn.close(CLOSE.rightsRevoked, "rights revoked");
      const access = await sectionAccess(this.sections, user, conn.shared.codeId, conn.shared.sectionId);
      if (conn.closed) return;
      if (!access) return conn.close(CLOSE.notFound, "section no longer exists");
      conn.user = user;
      conn.setReadOnly(access.readOnly);
    } catch (err) {
      this.log.error({ err, user: conn.user.id }, "re-checking rights failed; closing the socket");
      conn.close(CLOSE.internal, "rights could not be checked");
    }
  }

  private resyncAll(): void {
    // The others may have missed who is here.
    this.renewPresence();
    for (const shared of this.docs.values()) {
      void this.resync(shared);
      setTimeout(() => void this.resync(shared), RESYNC_AGAIN_MS).unref();
    }
  }

  private async resync(shared: SharedDoc): Promise<void> {
    if (!shared.loaded || this.docs.get(shared.name) !== shared) return;
    try {
      await shared.resyncFromStore();
    } catch (err) {
      this.log.warn({ err, doc: shared.name }, "re-reading a document failed");
    }
  }

  private ping(): void {
    for (const conn of this.connections) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }

  /** Graceful stop: no new sockets, every update stored and acknowledged, sockets closed 1001. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.heartbeat);
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    for (const off of this.unsubscribe) off();
    const docs = [...this.docs.values()];
    for (const d of docs) if (d.idleTimer) clearTimeout(d.idleTimer);
    await Promise.all(docs.map((d) => d.ready.then(() => d.flush()).catch((err) => this.log.error({ err, doc: d.name }, "final flush failed"))));
    for (const cut of [...this.hookPauses.values()]) cut();
    await Promise.all(this.hookRunning.values());
    await Promise.all([...this.settling.keys()].map((name) => this.settle(name)));
    const sockets = [...this.connections].map((c) => c.ws);
    for (const conn of this.connections) conn.close(CLOSE.goingAway, "server shutting down");
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
        resolve();
      }, 1000);
      const check = () => {
        if (this.connections.size === 0) {
          clearTimeout(deadline);
          resolve();
        }
      };
      for (const ws of sockets) ws.once("close", check);
      check();
    });
    this.wss.close();
    await this.fanout?.close();
    for (const d of docs) d.destroy();
    this.docs.clear();
    this.log.info({ docs: docs.length }, "collaboration server stopped");
  }
}

export function createCollabServer(opts: CollabServerOptions = {}): CollabServer {
  return new CollabServer(opts);
}
