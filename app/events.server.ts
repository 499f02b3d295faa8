// In-process domain events, so the collaboration server can react to changes made through
// the web app (suspensions, drafting-group changes, locks) without Remix reaching into sockets.
import { EventEmitter } from "node:events";

export interface DomainEvents {
  /** A user's rights may have changed (suspended, admitted, removed from the drafting group). */
  "user.rights-changed": { userId: string };
  /** A section's editability changed (locked, unlocked). */
  "section.rights-changed": { codeId: string; sectionId: string };
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
