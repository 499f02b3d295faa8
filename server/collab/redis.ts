// Fan-out between instances over Redis pub/sub: one channel per document (updates and
// presence, published at relay time) and one control channel for rights changes.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "pino";

const PREFIX = "codewerf:collab:";
const CONTROL = `${PREFIX}control`;
const KIND_UPDATE = 0;
const KIND_AWARENESS = 1;

export interface FanoutHandlers {
  update(docName: string, update: Uint8Array): void;
  awareness(docName: string, update: Uint8Array): void;
  control(message: ControlMessage): void;
  /** The subscription was lost and is back: messages may have been missed. */
  resync(): void;
}

export interface PresenceUser {
  id: string;
  name: string;
  readOnly: boolean;
}

export type ControlMessage =
  | { type: "user"; userId: string }
  | { type: "section"; codeId: string; sectionId: string }
  /** Who has a section open on the sending instance (all of them; empty when nobody). */
  | { type: "presence"; from: string; codeId: string; sectionId: string; users: PresenceUser[] };

export class RedisFanout {
  private readonly pub: Redis;
  private readonly sub: Redis;
  /** Frames carry the sender's id so an instance ignores its own messages. */
  private readonly instanceId = randomBytes(8);
  private wasDown = false;

  constructor(
    url: string,
    private readonly handlers: FanoutHandlers,
    private readonly log: Logger,
  ) {
    const retryStrategy = (times: number) => Math.min(1000, 50 * times);
    // Publishing while Redis is away fails at once instead of queueing: the database is the
    // source of truth, and a reconnect triggers a re-read.
    this.pub = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy, lazyConnect: false });
    this.sub = new Redis(url, { retryStrategy, maxRetriesPerRequest: null });
    for (const client of [this.pub, this.sub]) client.on("error", (err) => this.log.debug({ err: err.message }, "redis error"));
    this.sub.on("close", () => {
      if (!this.wasDown) this.log.warn("redis subscription lost; serving local clients only");
      this.wasDown = true;
    });
    this.sub.on("ready", () => {
      if (!this.wasDown) return;
      this.wasDown = false;
      this.log.info("redis subscription back; re-reading open documents");
      this.handlers.resync();
    });
    this.sub.on("messageBuffer", (channel: Buffer, message: Buffer) => this.onMessage(channel.toString(), message));
    void this.sub.subscribe(CONTROL).catch(() => undefined);
  }

  watch(docName: string): void {
    void this.sub.subscribe(PREFIX + docName).catch((err) => this.log.warn({ err: err.message, doc: docName }, "redis subscribe failed"));
  }

  unwatch(docName: string): void {
    void this.sub.unsubscribe(PREFIX + docName).catch(() => undefined);
  }

  publishUpdate(docName: string, update: Uint8Array): void {
    this.publish(PREFIX + docName, KIND_UPDATE, update);
  }

  publishAwareness(docName: string, update: Uint8Array): void {
    this.publish(PREFIX + docName, KIND_AWARENESS, update);
  }

  publishControl(message: ControlMessage): void {
    this.publish(CONTROL, KIND_UPDATE, new TextEncoder().encode(JSON.stringify(message)));
  }

  async close(): Promise<void> {
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private publish(channel: string, kind: number, payload: Uint8Array): void {
    if (this.pub.status !== "ready") return;
    const frame = Buffer.concat([Buffer.from([kind]), this.instanceId, payload]);
    this.pub.publish(channel, frame).catch((err) => this.log.debug({ err: err.message }, "redis publish failed"));
  }

  private onMessage(channel: string, frame: Buffer): void {
    if (frame.length < 9 || frame.subarray(1, 9).equals(this.instanceId)) return;
    const kind = frame[0];
    const payload = new Uint8Array(frame.buffer, frame.byteOffset + 9, frame.byteLength - 9);
    try {
      if (channel === CONTROL) this.handlers.control(JSON.parse(Buffer.from(payload).toString("utf8")) as ControlMessage);
      else if (kind === KIND_UPDATE) this.handlers.update(channel.slice(PREFIX.length), payload);
      else if (kind === KIND_AWARENESS) this.handlers.awareness(channel.slice(PREFIX.length), payload);
    } catch (err) {
      this.log.warn({ err, channel }, "bad message from redis ignored");
    }
  }
}
