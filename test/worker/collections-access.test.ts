import { describe, expect, it } from "vitest";
import { mintToken } from "../../worker/auth/tokens";
import { TEST_SERVER_KEY_1 } from "../setup/test-keys";
import { json, uniqueName } from "./collections-oracle";
import { gateway } from "./gateway";

const SECRET = "test-token-secret-0123456789abcdef0123456789";
const ORIGIN = "https://app.example.com";
const SERVER = { authorization: `Bearer ${TEST_SERVER_KEY_1}` };
const MODEL = "test/tiny-embed";

async function setUp() {
  const gw = gateway({ AUTH_MODE: "token" });
  const docs = uniqueName("docs");
  const other = uniqueName("other");
  for (const name of [docs, other]) {
    const res = await gw.request(`/v1/collections/${name}`, {
      method: "PUT",
      body: JSON.stringify({ model: MODEL }),
      headers: { ...SERVER, "content-type": "application/json" },
    });
    expect(res.status).toBe(201);
    const up = await gw.post(`/v1/collections/${name}/records`, { records: [{ id: "a", text: `hello ${name}` }] }, SERVER);
    expect(up.status).toBe(200);
  }
  return { gw, docs, other };
}

const browser = (token: string) => ({ authorization: `Bearer ${token}`, origin: ORIGIN });

describe("collections: scopes and per-collection tokens", () => {
  it("Should let a token with read on one collection query, read and list that one only", async () => {
    const { gw, docs, other } = await setUp();
    const minted = await gw.post("/v1/tokens", { sub: "u1", origin: ORIGIN, scopes: ["collections:read"], collections: [docs] }, SERVER);
    expect(minted.status).toBe(200);
    const { token } = await json(minted);
    const headers = browser(token);

    expect((await gw.post(`/v1/collections/${docs}/query`, { query: "hello" }, headers)).status).toBe(200);
    expect((await gw.request(`/v1/collections/${docs}`, { headers })).status).toBe(200);
    expect((await gw.request(`/v1/collections/${docs}/records/a`, { headers })).status).toBe(200);
    const list = await json(await gw.request("/v1/collections", { headers }));
    expect(list.data.map((c: { name: string }) => c.name)).toEqual([docs]);

    const before = await gw.stats();
    const elsewhere = await gw.post(`/v1/collections/${other}/query`, { query: "hello" }, headers);
    expect(elsewhere.status).toBe(403);
    expect((await json(elsewhere)).error).toMatchObject({ code: "collection_not_allowed", param: "name" });
    const upsert = await gw.post(`/v1/collections/${docs}/records`, { records: [{ id: "b", text: "x" }] }, headers);
    expect(upsert.status).toBe(403);
    expect((await json(upsert)).error.message).toContain("collections:write");
    const del = await gw.request(`/v1/collections/${docs}`, { method: "DELETE", headers });
    expect(del.status).toBe(403);
    const embed = await gw.post("/v1/embeddings", { model: MODEL, input: "x" }, headers);
    expect(embed.status).toBe(403);
    expect((await gw.stats()).calls.embeddings).toBe(before.calls.embeddings);
  });

  it("Should refuse collections to a token with only the embed scope, and allow writes with collections:write", async () => {
    const { gw, docs } = await setUp();
    const { token: embedOnly } = await mintToken(SECRET, { keyId: "ci", sub: "u2", ttlSeconds: 60, origin: ORIGIN, scopes: ["embed"] });
    const refused = await gw.post(`/v1/collections/${docs}/query`, { query: "hello" }, browser(embedOnly));
    expect(refused.status).toBe(403);
    expect((await json(refused)).error).toMatchObject({ code: "missing_scope" });

    const { token: writer } = await mintToken(SECRET, {
      keyId: "ci",
      sub: "u3",
      ttlSeconds: 60,
      origin: ORIGIN,
      scopes: ["collections:write", "collections:read"],
      collections: [docs],
    });
    const up = await gw.post(`/v1/collections/${docs}/records`, { records: [{ id: "b", text: "written by a token" }] }, browser(writer));
    expect(await json(up)).toMatchObject({ upserted: 1 });
  });

  it("Should refuse a token naming an invalid collection when minted", async () => {
    const { gw } = await setUp();
    const res = await gw.post("/v1/tokens", { sub: "u1", scopes: ["collections:read"], collections: ["Not Valid"] }, SERVER);
    expect(res.status).toBe(400);
    expect((await json(res)).error.param).toBe("collections[0]");
  });

  it("Should refuse collections without a credential", async () => {
    const { gw, docs } = await setUp();
    const res = await gw.post(`/v1/collections/${docs}/query`, { query: "hello" });
    expect(res.status).toBe(401);
  });
});
