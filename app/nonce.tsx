// The per-request CSP nonce, handed from Express through entry.server to <Scripts>.
import { createContext, useContext } from "react";

export const NonceContext = createContext<string>("");
export const useNonce = () => useContext(NonceContext);
