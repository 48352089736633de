// A stand-in for OpenAI-compatible embeddings (OpenAI itself, and TEI or vLLM behind their OpenAI
// routes): `POST {base}/embeddings`, base URL per tenant `${url}/t/<tenant>/openai/v1`. Errors use
// OpenAI's `{error: {message, type, param, code}}` with the texts OpenAI answers with.
import { embeddingTokens, standInVector } from "./deterministic.ts";
import { vectorJson } from "./faults.ts";
import { echoKeyMessage, markerIn } from "./markers.ts";
import { type Reply, tally, type WireFormat } from "./stand-in-server.ts";

export const OPENAI_STAND_IN_KEY = "sk-test-openai-stand-in-7c21e5a9f0";

/**
 * The models served. `shortenable` models honour `dimensions` (OpenAI's text-embedding-3
 * family); any `dimensions` for the others is a 400, as OpenAI answers for ada-002.
 * `BAAI/bge-small-en-v1.5` stands for what a TEI or vLLM server would serve.
 */
export const OPENAI_STAND_IN_MODELS: Record<string, { dimensions: number; shortenable?: true }> = {
  "text-embedding-3-small": { dimensions: 1536, shortenable: true },
  "text-embedding-3-large": { dimensions: 3072, shortenable: true },
  "text-embedding-ada-002": { dimensions: 1536 },
  "BAAI/bge-small-en-v1.5": { dimensions: 384 },
};

/** The most inputs one request may carry. */
export const OPENAI_MAX_INPUTS = 2048;

/**
 * The vector for `text`: `standInVector` at the model's full size, or, with `dimensions`, its first
 * `dimensions` components scaled back to unit length, which is how OpenAI documents shortening.
 */
export function openAiStandInVector(model: string, text: string, dimensions?: number): Float32Array {
  const spec = OPENAI_STAND_IN_MODELS[model];
  if (!spec) throw new Error(`not an OpenAI stand-in model: ${model}`);
  const full = standInVector(model, text, spec.dimensions);
  if (dimensions === undefined || dimensions === spec.dimensions) return full;
  const v = full.slice(0, dimensions);
  const norm = Math.hypot(...v);
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

function error(status: number, message: string, code: string | null = null, param: string | null = null): Reply {
  const type =
    status === 401 ? "invalid_request_error" : status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error";
  return { status, body: { error: { message, type, param, code } } };
}

/** How OpenAI quotes a wrong key back: a few characters of each end, the rest masked. */
const masked = (key: string) =>
  key.length > 8 ? `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}` : "*".repeat(key.length);

const FIELDS = new Set(["model", "input", "encoding_format", "dimensions", "user"]);
const INVALID_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

export const openAiFormat: WireFormat = {
  name: "openai",
  operation: (path) => (path === "/embeddings" ? { kind: "embeddings" } : error(404, `Invalid URL (POST /v1${path})`)),
  authorize(authorization) {
    if (authorization === `Bearer ${OPENAI_STAND_IN_KEY}`) return undefined;
    const key = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
    if (!key) {
      return error(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
      );
    }
    return error(
      401,
      `Incorrect API key provided: ${masked(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      "invalid_api_key",
    );
  },
  error: (status, message) => error(status, message),
  badJson: () =>
    error(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
    ),
  truncated: '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,',

  refuse(_op, body, raw) {
    const spec = OPENAI_STAND_IN_MODELS[body.model];
    if (!spec) return error(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, "model_not_found");
    const unknown = Object.keys(body).find((field) => !FIELDS.has(field));
    if (unknown) return error(400, `Unrecognized request argument supplied: ${unknown}`);
    // Token-array inputs are valid for OpenAI but never sent by the gateway; the stand-in refuses them.
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > OPENAI_MAX_INPUTS) return error(400, INVALID_INPUT);
    if (inputs.some((t) => typeof t !== "string" || t === "")) return error(400, INVALID_INPUT);
    if (body.encoding_format !== undefined && body.encoding_format !== "float" && body.encoding_format !== "base64") {
      return error(
        400,
        `Invalid value for 'encoding_format': ${JSON.stringify(body.encoding_format)}. Supported values are: 'float' and 'base64'.`,
        null,
        "encoding_format",
      );
    }
    if (body.dimensions !== undefined) {
      if (!spec.shortenable) return error(400, "This model does not support specifying dimensions.");
      if (!Number.isInteger(body.dimensions) || body.dimensions < 1 || body.dimensions > spec.dimensions) {
        return error(
          400,
          `Invalid value for 'dimensions' = ${body.dimensions}. Must be between 1 and ${spec.dimensions}.`,
          null,
          "dimensions",
        );
      }
    }
    const marker = markerIn(raw);
    if (marker === "too-long") {
      return error(
        400,
        "This model's maximum context length is 8192 tokens, however you requested 9000 tokens (9000 in your prompt; 0 for the completion). Please reduce your prompt; or completion length.",
      );
    }
    if (marker === "echo-key") return error(400, echoKeyMessage);
    return undefined;
  },

  answer(_op, body, { state, wrongDimensions, nonFinite }) {
    const inputs: string[] = typeof body.input === "string" ? [body.input] : body.input;
    tally(state.embedded, inputs);
    const asBase64 = body.encoding_format === "base64";
    const data = inputs.map((text, index) => {
      const v = openAiStandInVector(body.model, text, body.dimensions);
      const embedding = vectorJson(wrongDimensions ? v.subarray(0, v.length - 1) : v, asBase64, index === 0 ? nonFinite : undefined);
      return { object: "embedding", index, embedding };
    });
    const tokens = embeddingTokens(inputs);
    return { status: 200, body: { object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
  },
};
