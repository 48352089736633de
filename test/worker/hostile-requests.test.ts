// The attacks of issue 16 (request side), each as a request anyone with a token could send: the
// gateway answers within its caps or refuses with a 400 naming the param and the setting, never a 500.
import { describe, expect, it } from "vitest";
import { allProviders, decodeBase64Vector, gateway } from "./gateway";

const LARGE = "text-embedding-3-large"; // 3072 dimensions, through the OpenAI stand-in

async function refusal(res: Response, param: string, setting?: string) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as any;
  expect(body.error.param).toBe(param);
  if (setting) expect(body.error.message).toContain(setting);
  return body.error as { message: string; code: string; param: string };
}

describe("bounded responses (finding 1)", () => {
  it("Should answer a large float hit (streamed) whose repeated inputs carry the same vector as base64 says", async () => {
    const gw = gateway(allProviders);
    const input = [...Array.from({ length: 300 }, () => "a"), "b"];
    const b64 = (await (await gw.post("/v1/embeddings", { model: LARGE, input, encoding_format: "base64" })).json()) as any;
    const res = await gw.post("/v1/embeddings", { model: LARGE, input });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-cache")).toBe("HIT");
    const body = (await res.json()) as any;
    expect(body.data).toHaveLength(301);
    // A full hit bills nothing; the usage still closes the streamed body.
    expect(body.usage).toEqual({ prompt_tokens: 0, total_tokens: 0 });
    for (const i of [0, 150, 299, 300]) {
      expect(body.data[i].index).toBe(i);
      expect(body.data[i].embedding).toEqual(Array.from(decodeBase64Vector(b64.data[i].embedding)));
    }
    expect(body.data[300].embedding).not.toEqual(body.data[0].embedding);
  });

  it("Should refuse a float answer over MAX_FLOAT_VALUES, pointing to base64, and serve the same request as base64", async () => {
    const gw = gateway((t) => ({ ...allProviders(t), MAX_FLOAT_VALUES: "1000000" }));
    const input = Array.from({ length: 2048 }, () => "a");
    const error = await refusal(await gw.post("/v1/embeddings", { model: LARGE, input }), "encoding_format", "MAX_FLOAT_VALUES");
    expect(error.code).toBe("limit_exceeded");
    expect(error.message).toContain('"base64"');
    expect((await gw.stats()).calls.openai).toBe(0);
    const b64 = await gw.post("/v1/embeddings", { model: LARGE, input, encoding_format: "base64" });
    expect(b64.status).toBe(200);
  });

  it("Should refuse an answer over MAX_RESPONSE_VALUES in any encoding, before any upstream call", async () => {
    const gw = gateway((t) => ({ ...allProviders(t), MAX_RESPONSE_VALUES: "100000" }));
    const input = Array.from({ length: 40 }, (_, i) => `text ${i}`);
    await refusal(await gw.post("/v1/embeddings", { model: LARGE, input, encoding_format: "base64" }), "input", "MAX_RESPONSE_VALUES");
    expect((await gw.stats()).calls.openai).toBe(0);
    // Shortened vectors print fewer numbers but the gateway still holds the full ones: 40 x 3072 counts.
    const short = await gw.post("/v1/embeddings", { model: LARGE, input, dimensions: 256 });
    await refusal(short, "input", "MAX_RESPONSE_VALUES");
  });
});
