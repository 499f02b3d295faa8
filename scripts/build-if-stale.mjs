// Builds what `npm start` runs when it is missing or older than its sources: the Remix app
// (`remix build` → build/index.js) and the server bundled by esbuild (→ build/server/index.js),
// so a start runs plain JavaScript instead of compiling TypeScript on the fly.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import esbuild from "esbuild";

const SOURCES = ["app", "server", "migrations", "seeds", "remix.config.js", "package-lock.json"];
export const SERVER_BUNDLE = path.resolve("build/server/index.js");
const REMIX_BUILD = path.resolve("build/index.js");

function newestMtime(p) {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);

export async function buildIfStale() {
  const sources = Math.max(...SOURCES.map(newestMtime));
  // `remix dev` leaves a development build behind; a production start must not serve it.
  const development = mtime(REMIX_BUILD) > 0 && !fs.readFileSync(REMIX_BUILD, "utf8").includes('mode = "production"');
  if (Math.min(mtime(REMIX_BUILD), mtime(SERVER_BUNDLE)) >= sources && !development) return;
  console.log("Building the app (remix build, server bundle)…");
  const r = spawnSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  await esbuild.build({
    entryPoints: ["server/index.ts"],
    outfile: SERVER_BUNDLE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    alias: { "~": "./app" },
    logLevel: "warning",
  });
}
