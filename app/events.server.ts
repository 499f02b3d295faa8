// In-process domain events, so the collaboration server can react to changes made through
// the web app (suspensions, drafting-group changes, locks) without Remix reaching into sockets.
import { EventEmitter } from "node:events";

export interface DomainEvents {
  /** A user's rights may have changed (suspended, admitted, removed from the drafting group). */
  "user.rights-changed": { userId: string };
  /** A section's editability changed (locked, unlocked). */
  "section.rights-changed": { codeId: string; sectionId: string };
  /**
   * A section's live text changed: emitted after the collaboration server stored a batch and
   * its audit events were written (see `recordSectionEdits`). Listeners: staleness of
   * approvals, version history, the live overview.
   */
  "section.changed": { codeId: string; sectionId: string; userIds: string[]; at: Date };
  /**
   * Who has a section open in the live editor now (the full list, sent by the collaboration
   * server whenever a socket on it opens or closes). Listener: the live overview.
   */
  "section.presence": { codeId: string; sectionId: string; users: { id: string; name: string; readOnly: boolean }[] };
  /** The ministry published a release (listeners: inbox and e-mail, re-pledge invitations). */
  "release.published": { codeId: string; releaseId: string; version: string; major: number; minor: number; publishedBy: string | null };
  /**
   * What a pledge's public record or badge shows may have changed (confirmed, withdrawn, erased;
   * `pledgeId` null: possibly every pledge, e.g. outdated by a new major release). Listener: the
   * server's response cache.
   */
  "pledge.changed": { pledgeId: string | null };
}

type Listener<K extends keyof DomainEvents> = (payload: DomainEvents[K]) => void;

const g = globalThis as unknown as { __codewerfEvents?: EventEmitter };

function emitter(): EventEmitter {
  g.__codewerfEvents ??= new EventEmitter().setMaxListeners(100);
  return g.__codewerfEvents;
}

export function emit<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): void {
  emitter().emit(name, payload);
}

export function on<K extends keyof DomainEvents>(name: K, listener: Listener<K>): () => void {
  emitter().on(name, listener);
  return () => emitter().off(name, listener);
}
