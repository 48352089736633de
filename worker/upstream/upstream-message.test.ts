import { describe, expect, it } from "vitest";
import { providerMessage, scrubCredentials } from "./upstream-message";

const KEY = "tgp_v1_Zx9-secret-key";
const answer = (body: unknown) => new Response(typeof body === "string" ? body : JSON.stringify(body), { status: 400 });

describe("upstream messages: credentials never pass", () => {
  it("Should remove bearer, basic and token credentials but keep the word", () => {
    expect(scrubCredentials("bad header Authorization: Bearer abc.def-ghi")).toBe("bad header Authorization: Bearer [redacted]");
    expect(scrubCredentials('{"authorization": "Bearer sk-stand-in-leak-1234"}')).toBe('{"authorization": "Bearer [redacted]"}');
    expect(scrubCredentials("Basic dXNlcjpwYXNz, retry")).toBe("Basic [redacted], retry");
    expect(scrubCredentials("invalid Token 12345678")).toBe("invalid Token [redacted]");
  });

  it("Should remove sk-, pk-, key_ and api- style keys", () => {
    expect(scrubCredentials("invalid key sk-proj-abcDEF123456 given")).toBe("invalid key [redacted] given");
    for (const key of ["pk_live_abcdef12", "rk-abcdefgh", "key_0123456789", "api-abcdef99", "tok_abcdefgh"]) {
      expect(scrubCredentials(`got ${key}.`)).toBe("got [redacted].");
    }
  });

  it("Should remove long opaque tokens, such as 64-character hex keys", () => {
    const hex = "a1b2c3d4".repeat(8);
    expect(scrubCredentials(`key ${hex} rejected`)).toBe("key [redacted] rejected");
    expect(scrubCredentials("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjo5OTk5OTk5OTk5fQ")).not.toContain(
      "eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjo5",
    );
  });

  it("Should remove the provider's own key wherever it appears, even one no pattern catches", () => {
    expect(scrubCredentials(`echo: ${KEY}!`, KEY)).toBe("echo: [redacted]!");
    expect(scrubCredentials("k3y+ was wrong: k3y+", "k3y+")).toBe("[redacted] was wrong: [redacted]");
  });

  it("Should leave ordinary error text alone", () => {
    const text = "Input validation error: `inputs` must have less than 512 tokens. Given: 9000";
    expect(scrubCredentials(text, KEY)).toBe(text);
    expect(scrubCredentials("model BAAI/bge-large-en-v1.5 not found", "abc")).toBe("model BAAI/bge-large-en-v1.5 not found");
  });
});

describe("upstream messages: each provider's error shape", () => {
  it("Should read Together's and OpenAI's {error: {message}}", async () => {
    expect(await providerMessage(answer({ error: { message: "Unable to access model x", type: "invalid_request_error" } }))).toBe(
      "Unable to access model x",
    );
  });

  it("Should read TEI's {error: string}", async () => {
    expect(await providerMessage(answer({ error: "Input validation error", error_type: "validation" }))).toBe("Input validation error");
  });

  it("Should read Cloudflare's {errors: [{message}]}", async () => {
    expect(await providerMessage(answer({ success: false, errors: [{ code: 5006, message: "Error: oneOf at '/' not met" }] }))).toBe(
      "Error: oneOf at '/' not met",
    );
  });

  it("Should read Cohere's {message}", async () => {
    expect(await providerMessage(answer({ id: "1", message: "too many tokens" }))).toBe("too many tokens");
  });

  it("Should read FastAPI's {detail} as a string or a list of {msg}", async () => {
    expect(await providerMessage(answer({ detail: "Not allowed" }))).toBe("Not allowed");
    expect(await providerMessage(answer({ detail: [{ loc: ["body", "input"], msg: "field required", type: "missing" }] }))).toBe(
      "field required",
    );
  });

  it("Should say nothing for HTML, an empty body, JSON null, an empty message or a message that is not text", async () => {
    for (const body of [
      "<html>502 Bad Gateway</html>",
      "",
      "null",
      { error: { message: "  " } },
      { error: { message: 42 } },
      { ok: false },
      [],
    ]) {
      expect(await providerMessage(answer(body))).toBeUndefined();
    }
  });

  it("Should fold white space and scrub the key from the message", async () => {
    expect(await providerMessage(answer({ error: { message: `bad\n\n  key\t${KEY}` } }), KEY)).toBe("bad key [redacted]");
  });

  it("Should cut a long message to 300 characters ending in an ellipsis", async () => {
    const message = await providerMessage(answer({ message: "word ".repeat(200) }));
    expect(message).toHaveLength(300);
    expect(message!.endsWith("…")).toBe(true);
  });

  it("Should not cut an emoji in half when it shortens a long message", async () => {
    // 298 characters, then emoji (two UTF-16 units each): the cut falls inside the first one.
    const message = await providerMessage(answer({ message: `${"ab ".repeat(99)}z${"🦙".repeat(10)}` }));
    expect(message!.length).toBeLessThanOrEqual(300);
    expect(message!.isWellFormed()).toBe(true);
  });
});
