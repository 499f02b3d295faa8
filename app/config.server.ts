// Reads and validates the environment once (CONTRACT.md's table), so every part of the
// server agrees on ports, origins and where the data lives.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const EnvSchema = z.object({
  NODE_ENV: z.string().default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("localhost"),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./data"),
  REDIS_URL: z.string().url().optional(),
  SESSION_SECRET: z.string().min(16).optional(),
  PUBLIC_ORIGIN: z.string().url().optional(),
  SMTP_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TRUST_PROXY: z.enum(["0", "1"]).default("0"),
});

export interface Config {
  production: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  embedded: boolean;
  redisUrl: string | undefined;
  sessionSecret: string;
  publicOrigin: string;
  smtpUrl: string | undefined;
  logLevel: string;
  trustProxy: boolean;
}

function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString("base64url");
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable counts as unset (`DATABASE_URL= npm start` means embedded).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  const dataDir = path.resolve(e.DATA_DIR);
  if (production && e.DATABASE_URL && !e.SESSION_SECRET) {
    throw new Error("SESSION_SECRET is required when DATABASE_URL is set and NODE_ENV=production");
  }
  const sessionSecret = e.SESSION_SECRET ?? (e.DATABASE_URL ? "codewerf-dev-secret-not-for-production" : readOrCreateSecret(dataDir));
  return {
    production,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    embedded: !e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    sessionSecret,
    publicOrigin: (e.PUBLIC_ORIGIN ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    smtpUrl: e.SMTP_URL,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === "1",
  };
}

const g = globalThis as unknown as { __codewerfConfig?: Config };

/** The process-wide configuration (one copy shared by the Remix build and the server). */
export function config(): Config {
  g.__codewerfConfig ??= loadConfig();
  return g.__codewerfConfig;
}

/** Replaces the process-wide configuration (test harnesses that pick their port first). */
export function setConfig(c: Config): void {
  g.__codewerfConfig = c;
}
