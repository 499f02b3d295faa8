// Presence for one document, kept by the server itself: a connection may only set the client
// ids it owns, the user's name and colour come from its session, and changes go out merged.
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { userColour } from "../../app/domain/colours";
import { type Outgoing, SharedFrame } from "./frame";
import { awarenessMessage } from "./protocol";

const MAX_STATE_CHARS = 8 * 1024;
const MAX_IDS_PER_CONNECTION = 4;
const REMOTE_TTL_MS = 30_000;

/** A local connection as presence sees it. */
export interface AwarenessPeer {
  readonly user: { id: string; display_name: string };
  readonly clientIds: Set<number>;
  send(message: Outgoing): void;
}

interface Entry {
  clock: number;
  /** JSON of the state, "null" once removed. */
  json: string;
  owner: AwarenessPeer | null;
  /** Last change, for entries relayed from another instance. */
  at: number;
}

function encodeEntries(entries: Map<number, Entry>, ids: Iterable<number>): Uint8Array {
  const e = encoding.createEncoder();
  const list = [...ids].filter((id) => entries.has(id));
  encoding.writeVarUint(e, list.length);
  for (const id of list) {
    const entry = entries.get(id)!;
    encoding.writeVarUint(e, id);
    encoding.writeVarUint(e, entry.clock);
    encoding.writeVarString(e, entry.json);
  }
  return encoding.toUint8Array(e);
}

function decodeEntries(update: Uint8Array): { id: number; clock: number; json: string }[] {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  const out = [];
  for (let i = 0; i < n; i++) out.push({ id: decoding.readVarUint(d), clock: decoding.readVarUint(d), json: decoding.readVarString(d) });
  return out;
}

export class DocAwareness {
  private entries = new Map<number, Entry>();
  private changedLocal = new Set<number>();
  private changedRemote = new Set<number>();
  private newcomers = new Set<AwarenessPeer>();
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  /** Awareness frames sent to clients (benchmark S9, /healthz). */
  framesSent = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly peers: () => Iterable<AwarenessPeer>,
    private readonly publish: (update: Uint8Array) => void,
  ) {}

  /** A new connection receives every current state with the next merged frame. */
  join(peer: AwarenessPeer): void {
    this.newcomers.add(peer);
    this.schedule();
  }

  /** Applies a client's awareness update; returns false when it was malformed. */
  applyFromPeer(peer: AwarenessPeer, update: Uint8Array): boolean {
    let list;
    try {
      list = decodeEntries(update);
    } catch {
      return false;
    }
    for (const { id, clock, json } of list) {
      const current = this.entries.get(id);
      if (current && current.owner !== peer) continue; // someone else's client id: forged
      if (!current && !peer.clientIds.has(id) && peer.clientIds.size >= MAX_IDS_PER_CONNECTION) continue;
      if (current && !(clock > current.clock || (clock === current.clock && json === "null" && current.json !== "null"))) continue;
      const trusted = this.trustedState(peer, json);
      if (trusted === undefined) continue;
      peer.clientIds.add(id);
      this.entries.set(id, { clock, json: trusted, owner: peer, at: Date.now() });
      this.changedLocal.add(id);
    }
    this.schedule();
    return true;
  }

  /** Applies an update relayed by another instance (already checked there). */
  applyRemote(update: Uint8Array): void {
    let list;
    try {
      list = decodeEntries(update);
    } catch {
      return;
    }
    for (const { id, clock, json } of list) {
      const current = this.entries.get(id);
      if (current?.owner) continue;
      if (current && clock < current.clock) continue;
      this.entries.set(id, { clock, json, owner: null, at: Date.now() });
      this.changedRemote.add(id);
    }
    this.schedule();
  }

  /** Removes a closed connection's states (others see it leave). */
  leave(peer: AwarenessPeer): void {
    this.newcomers.delete(peer);
    for (const id of peer.clientIds) {
      const entry = this.entries.get(id);
      if (!entry || entry.owner !== peer) continue;
      this.entries.set(id, { clock: entry.clock + 1, json: "null", owner: null, at: Date.now() });
      this.changedLocal.add(id);
    }
    this.schedule();
  }

  /** Every live state, encoded (answer to "query awareness"). */
  fullMessage(): Uint8Array {
    this.dropStaleRemote();
    const live = [...this.entries].filter(([, e]) => e.json !== "null").map(([id]) => id);
    return awarenessMessage(encodeEntries(this.entries, live));
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The state a client may show: its own fields, with `user` replaced by the session's. */
  private trustedState(peer: AwarenessPeer, json: string): string | undefined {
    if (json === "null") return json;
    if (json.length > MAX_STATE_CHARS) return undefined;
    let state: unknown;
    try {
      state = JSON.parse(json);
    } catch {
      return undefined;
    }
    if (typeof state !== "object" || state === null || Array.isArray(state)) return undefined;
    return JSON.stringify({ ...state, user: { id: peer.user.id, name: peer.user.display_name, color: userColour(peer.user.id) } });
  }

  private dropStaleRemote(): void {
    const cutoff = Date.now() - REMOTE_TTL_MS;
    for (const [id, e] of this.entries) if (!e.owner && e.at < cutoff) this.entries.delete(id);
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    this.lastFlush = Date.now();
    const changed = new Set([...this.changedLocal, ...this.changedRemote]);
    if (this.changedLocal.size) this.publish(encodeEntries(this.entries, this.changedLocal));
    const delta = changed.size ? new SharedFrame(awarenessMessage(encodeEntries(this.entries, changed))) : null;
    const full = this.newcomers.size ? new SharedFrame(this.fullMessage()) : null;
    for (const peer of this.peers()) {
      const message = this.newcomers.has(peer) ? full : delta;
      if (!message) continue;
      peer.send(message);
      this.framesSent++;
    }
    this.changedLocal.clear();
    this.changedRemote.clear();
    this.newcomers.clear();
    // Removed entries are kept (clock) only while their owner could still send; then forgotten.
    for (const [id, e] of this.entries) if (e.json === "null" && !e.owner) this.entries.delete(id);
  }
}
