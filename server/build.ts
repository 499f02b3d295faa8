// Loads the Remix server build: once in production; under `npm run dev` (remix dev --manual)
// again after every rebuild, telling the dev server so the browser reloads.
import type { ServerBuild } from "@remix-run/node";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

export interface LoadedBuild {
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** Call once the server listens. */
  ready(): Promise<void>;
}

export async function loadRemixBuild(opts: { development: boolean }): Promise<LoadedBuild> {
  const file = path.resolve(process.env.REMIX_BUILD ?? "build/index.js");
  const importBuild = async () => (await import(`${pathToFileURL(file).href}?t=${fs.statSync(file).mtimeMs}`)) as ServerBuild;
  let current = await importBuild();
  if (!opts.development) return { build: current, ready: async () => undefined };

  const { broadcastDevReady } = await import("@remix-run/node");
  let pending: Promise<void> | undefined;
  fs.watch(path.dirname(file), { persistent: false }, () => {
    pending ??= (async () => {
      current = await importBuild();
      await broadcastDevReady(current);
    })().finally(() => (pending = undefined));
  });
  return { build: async () => current, ready: () => broadcastDevReady(current) };
}
