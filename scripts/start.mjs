// `npm start`: builds the Remix app when needed, then runs the server (TypeScript through
// tsx, in this same process so signals reach it directly).
import { buildIfStale } from "./build-if-stale.mjs";

process.env.NODE_ENV ??= "production";
buildIfStale();
const { register } = await import("tsx/esm/api");
register();
await import("../server/index.ts");
