// Which gateway the bench measures: the working tree, or a committed revision (BENCH_REF=HEAD, a
// tag, a commit) to compare before and after a change. Bindings come from that revision's
// wrangler.toml, read by wrangler itself, as `wrangler dev` and the tests read them.
import { execSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V4WorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig, unstable_splitSqlQuery } from "wrangler";
import { bundleWorker } from "./workerd-instance.ts";

const ROOT = join(import.meta.dirname, "..");

/**
 * An empty env file in place of .dev.vars and .env (`envFiles`: honoured by wrangler at run time,
 * missing from its types): the bench sets every variable itself and reads no local secrets.
 */
const NO_LOCAL_SECRETS = { envFiles: ["/dev/null"] } as Parameters<typeof unstable_getMiniflareWorkerOptions>[2];
// ...and no .env loading either (which would also announce the empty file).
process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = "false";

/** The wrangler.toml options the bench keeps: runtime version and bindings, not assets or routes. */
const KEPT_OPTIONS = ["compatibilityDate", "compatibilityFlags", "bindings", "kvNamespaces", "d1Databases", "ratelimits"] as const;

export interface GatewaySource {
  /** The working tree's or the revision's name and short commit. */
  label: string;
  script: string;
  options: Pick<V4WorkerOptions, (typeof KEPT_OPTIONS)[number]>;
  /** SQL statements of the cache database's D1 migrations, in order (none when it has no migrations folder). */
  d1Migrations: string[];
}

/** The D1 migrations `wrangler d1 migrations apply` would run for `binding`, as statements. */
function d1Migrations(configPath: string, binding: string): string[] {
  const config = unstable_readConfig({ config: configPath });
  const database = config.d1_databases.find((d: { binding: string }) => d.binding === binding);
  const dir = join(configPath, "..", database?.migrations_dir ?? "migrations");
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  return files.flatMap((f) => unstable_splitSqlQuery(readFileSync(join(dir, f), "utf8")));
}

export async function gatewaySource(d1Binding: string, ref = process.env.BENCH_REF): Promise<GatewaySource> {
  let dir = ROOT;
  const dirty = execSync("git status --porcelain -- worker wrangler.toml", { cwd: ROOT, encoding: "utf8" }).trim() !== "";
  let label = `working tree (${execSync("git rev-parse --short HEAD", { cwd: ROOT, encoding: "utf8" }).trim()}${dirty ? " + uncommitted changes" : ""})`;
  if (ref) {
    dir = mkdtempSync(join(tmpdir(), "embed-edge-bench-ref-"));
    execSync(
      `git archive ${JSON.stringify(ref)} worker wrangler.toml $(git ls-tree --name-only ${JSON.stringify(ref)} migrations) | tar -x -C ${JSON.stringify(dir)}`,
      { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
    );
    label = `${ref} (${execSync(`git rev-parse --short ${JSON.stringify(ref)}`, { cwd: ROOT, encoding: "utf8" }).trim()})`;
  }
  const configPath = join(dir, "wrangler.toml");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath, undefined, NO_LOCAL_SECRETS);
  const options = Object.fromEntries(KEPT_OPTIONS.map((key) => [key, workerOptions[key]])) as GatewaySource["options"];
  const source = {
    label,
    script: await bundleWorker(join(dir, "worker/index.ts")),
    options,
    d1Migrations: d1Migrations(configPath, d1Binding),
  };
  if (ref) rmSync(dir, { recursive: true, force: true });
  return source;
}
