// Bundles the pages' scripts (pages/*/main.ts, built on the client package in src/) for the browser into
// Hubs.Server/wwwroot/js, or into the folder given as the first argument. Hubs.Server's build runs this.
import { build } from "esbuild";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = resolve(process.argv[2] ?? resolve(root, "../../Hubs.Server/wwwroot/js"));

await build({
  absWorkingDir: root,
  entryPoints: { chat: "pages/chat/main.ts", admin: "pages/admin/main.ts" },
  outdir,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2020"],
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: "warning",
});
console.log(`pages bundled into ${outdir}`);
