// The list of collection names, in one Durable Object. Why a Durable Object: listing must see a
// collection as soon as its PUT answers (KV lists are eventually consistent, for up to a minute),
// it needs no binding a deployer must create (D1 would), and it stays off the hot path: queries
// and upserts go straight to the collection's own object; only create, delete and list come here.
import { DurableObject } from "cloudflare:workers";

export class CollectionRegistry extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY)");
  }

  add(name: string): void {
    this.sql.exec("INSERT OR IGNORE INTO names (name) VALUES (?)", name);
  }

  remove(name: string): void {
    this.sql.exec("DELETE FROM names WHERE name = ?", name);
  }

  names(): string[] {
    return this.sql
      .exec<{ name: string }>("SELECT name FROM names ORDER BY name")
      .toArray()
      .map((r) => r.name);
  }
}
