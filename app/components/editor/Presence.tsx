// Who is here now (from awareness; names and colours are set by the server) and who is typing
// where. A peer counts as typing for a few seconds after its `typing` field last changed.
import { useEffect, useRef, useState } from "react";
import type { WebsocketProvider } from "y-websocket";
import { useT } from "~/hooks";

/** What each client publishes about its typing: the block it types in and a counter. */
export interface TypingState {
  block: number;
  snippet: string;
  n: number;
}

export interface Peer {
  clientId: number;
  user: { id: string; name: string; color: string };
  typing: { block: number; snippet: string } | null;
  self: boolean;
}

const TYPING_SHOWN_MS = 4000;

/**
 * The awareness states as a list, refreshed on every change and while typing fades out. A new
 * list (and so a render) only when what it shows changed: most awareness changes are others'
 * carets moving, which the caret plugin draws without React.
 */
export function usePeers(provider: WebsocketProvider): Peer[] {
  const [peers, setPeers] = useState<Peer[]>([]);
  const lastSeen = useRef(new Map<number, { n: number; at: number }>());
  const shown = useRef("");
  useEffect(() => {
    const awareness = provider.awareness;
    const compute = () => {
      const now = Date.now();
      const list: Peer[] = [];
      for (const [clientId, state] of awareness.getStates()) {
        const user = state.user as Peer["user"] | undefined;
        if (!user?.name) continue;
        const typing = state.typing as TypingState | undefined;
        let active = false;
        if (typing && clientId !== awareness.clientID) {
          const seen = lastSeen.current.get(clientId);
          if (!seen || seen.n !== typing.n) lastSeen.current.set(clientId, { n: typing.n, at: seen ? now : 0 });
          active = now - (lastSeen.current.get(clientId)?.at ?? 0) < TYPING_SHOWN_MS;
        }
        list.push({ clientId, user, self: clientId === awareness.clientID, typing: active && typing ? { block: typing.block, snippet: typing.snippet } : null });
      }
      const key = JSON.stringify(list);
      if (key === shown.current) return;
      shown.current = key;
      setPeers(list);
    };
    compute();
    awareness.on("change", compute);
    const tick = setInterval(compute, 1000);
    return () => {
      awareness.off("change", compute);
      clearInterval(tick);
    };
  }, [provider]);
  return peers;
}

/** The presence list that follows awareness; its own component, so a change renders only it. */
export function LivePresence({ provider, selfName }: { provider: WebsocketProvider; selfName: string }) {
  return <PresenceList peers={usePeers(provider)} selfName={selfName} />;
}

export function PresenceList({ peers, selfName }: { peers: Peer[]; selfName: string }) {
  const t = useT();
  const others = new Map<string, Peer>();
  for (const p of peers) if (!p.self && !others.has(p.user.id)) others.set(p.user.id, p);
  const typing = peers.filter((p) => !p.self && p.typing);
  return (
    <div className="editor-presence">
      <h2 className="visually-hidden">{t("editor.presence")}</h2>
      <ul className="presence-list" aria-label={t("editor.presence")} data-testid="presence">
        <li className="presence-self">
          <span className="presence-dot presence-dot-self" aria-hidden="true" />
          {selfName} <span className="meta">({t("editor.you")})</span>
        </li>
        {[...others.values()].map((p) => (
          <li key={p.user.id} data-user-id={p.user.id}>
            <span className="presence-dot" style={{ background: p.user.color }} aria-hidden="true" />
            {p.user.name}
          </li>
        ))}
      </ul>
      <p className="typing-line meta" aria-live="polite" data-testid="typing">
        {typing.map((p) => t("editor.typingIn", { name: p.user.name, block: p.typing!.block + 1, snippet: p.typing!.snippet })).join(" · ")}
      </p>
    </div>
  );
}
