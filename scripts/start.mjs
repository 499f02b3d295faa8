// `npm start`: builds the app and the server bundle when needed, then runs the server in
// this same process (so signals reach it directly).
import { buildIfStale, SERVER_BUNDLE } from "./build-if-stale.mjs";
import { pathToFileURL } from "node:url";

process.env.NODE_ENV ??= "production";
await buildIfStale();
await import(pathToFileURL(SERVER_BUNDLE).href);
