// Bindings the worker tests add beside wrangler.toml's (the `miniflare` options in vitest.config.ts).
// `env` from "cloudflare:test" is `Cloudflare.Env`, generated from wrangler.toml, which cannot know them.
declare namespace Cloudflare {
  interface Env {
    EMBED_CACHE_DB: D1Database;
  }
}
