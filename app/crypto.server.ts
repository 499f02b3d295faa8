// Secrets that leave the server (session cookies, e-mailed links) are random tokens; the
// database keeps only their HMAC, so a leaked table cannot be replayed.
import { createHmac, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { config } from "./config.server";

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function tokenId(token: string): string {
  return createHmac("sha256", config().sessionSecret).update(token).digest("base64url");
}

// argon2id with the library's defaults (m=19 MiB, t=2, p=1: OWASP's minimum).
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Compared against when the e-mail is unknown, so both failures take the same time.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hash("codewerf-timing-equaliser");
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
