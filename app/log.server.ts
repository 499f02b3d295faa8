// Structured logging for the whole server side (Remix loaders and the collaboration server).
import { pino, type Logger } from "pino";

const g = globalThis as unknown as { __codewerfLog?: Logger };

export function log(): Logger {
  g.__codewerfLog ??= pino({ level: process.env.LOG_LEVEL ?? "info", base: { app: "codewerf" } });
  return g.__codewerfLog;
}
